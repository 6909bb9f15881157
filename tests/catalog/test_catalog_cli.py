"""`gongkai catalog import-items|import-posts|export` as an operator runs them."""

from __future__ import annotations

import pytest

from gongkai.catalog import command
from gongkai.catalog.enums import Platform
from gongkai.catalog.models import Item, Post
from gongkai.catalog.services import account_save
from gongkai.cli import main
from tests.catalog.sheets import csv_bytes, read_xlsx, xlsx
from tests.catalog.test_imports import HEAD, WECHAT, row


@pytest.fixture
def files(tmp_path):
    def write(name: str, content: bytes):
        path = tmp_path / name
        path.write_bytes(content)
        return str(path)

    return write


def test_import_items_prints_the_summary(tree, reviewer, columns, files, capsys):
    path = files("目录.xlsx", xlsx([HEAD, row(), row(标题="第二条", 栏目="")]))
    code = main(["catalog", "import-items", path, "--agency", str(tree["a"].pk), "--by", "reviewer_a",
                 "--column", "法定主动公开内容/政策文件/其他文件"])  # fmt: skip
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert out == "已导入 2 条目录信息（文件共 2 行数据）：已发布 2 条；新生成索引号 2 个。\n"
    assert Item.objects.count() == 2


def test_import_items_lists_each_problem_and_writes_nothing(tree, reviewer, columns, files, capsys):
    path = files(
        "目录.csv", csv_bytes([HEAD, row(), row(发布日期="2020-13-01"), row(栏目="无此栏目")], encoding="gbk")
    )
    code = main(["catalog", "import-items", path, "--agency", tree["a"].name, "--by", "reviewer_a"])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err.splitlines() == [
        "第 3 行：发布日期“2020-13-01”无效",
        "第 4 行：栏目“无此栏目”不存在",
        "“目录.csv”中有 2 处问题，没有导入任何内容。请修改后重新导入。",
    ]
    assert not Item.objects.exists()


def test_check_only(tree, reviewer, columns, files, capsys):
    path = files("目录.xlsx", xlsx([HEAD, row(), ["合计"]]))
    assert (
        main(
            ["catalog", "import-items", path, "--agency", str(tree["a"].pk), "--by", "reviewer_a", "--check"]
        )
        == 1
    )
    assert capsys.readouterr().err.startswith("第 3 行：请填写栏目\n")
    path = files("目录2.xlsx", xlsx([HEAD, row()]))
    assert (
        main(
            ["catalog", "import-items", path, "--agency", str(tree["a"].pk), "--by", "reviewer_a", "--check"]
        )
        == 0
    )
    assert capsys.readouterr().out.startswith("检查通过，可以导入 1 条目录信息")
    assert not Item.objects.exists()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--agency", "99999", "--by", "reviewer_a"], 2, "找不到机关“99999”"),
        (["--agency", "不存在的局", "--by", "reviewer_a"], 2, "找不到机关“不存在的局”"),
        (["--agency", "A", "--by", "nobody"], 2, "找不到在用的用户“nobody”"),
        (["--agency", "A", "--by", "clerk_a"], 1, "须由本机关的审核人、负责人或管理员办理"),
        (["--agency", "A", "--by", "reviewer_a", "--column", "无此栏目"], 2, "栏目“无此栏目”不存在"),
    ],
)
def test_import_items_usage(tree, reviewer, clerk, columns, files, capsys, args, code, message):
    path = files("目录.xlsx", xlsx([HEAD, row()]))
    args = [str(tree["a"].pk) if a == "A" else a for a in args]
    assert main(["catalog", "import-items", path, *args]) == code
    assert message in capsys.readouterr().err
    assert main(["catalog", "import-items", path + ".missing", "--agency", "1", "--by", "x"]) == 2
    assert "找不到文件" in capsys.readouterr().err


def test_import_posts_by_account_or_agency(tree, clerk, files, capsys):
    news = account_save(agency=tree["a"], by=clerk, platform=Platform.WECHAT, name="沙坡头发布")
    path = files("微信.csv", csv_bytes(WECHAT, encoding="gbk"))
    assert main(["catalog", "import-posts", path, "--account", str(news.pk), "--by", "clerk_a"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("已导入 3 条政务新媒体发布") and err == "说明：以下列未识别，未导入：阅读数\n"
    assert main(["catalog", "import-posts", path, "--account", str(news.pk), "--by", "clerk_a"]) == 0
    assert "已存在 3 条，跳过" in capsys.readouterr().out
    assert Post.objects.count() == 3
    assert main(["catalog", "import-posts", path, "--agency", str(tree["a"].pk), "--by", "clerk_a"]) == 1
    assert "缺少“账号”（或在导入时选择一个账号）列" in capsys.readouterr().err
    assert main(["catalog", "import-posts", path, "--by", "clerk_a"]) == 2
    assert "请用 --agency 指明机关" in capsys.readouterr().err
    assert main(["catalog", "import-posts", path, "--account", "9999", "--by", "clerk_a"]) == 2
    assert "找不到编号为 9999 的政务新媒体账号" in capsys.readouterr().err


def test_export_items_and_posts(tree, clerk, publish, tmp_path, capsys):
    publish()
    out = tmp_path / "目录.xlsx"
    assert (
        main(["catalog", "export", "items", "--agency", str(tree["a"].pk), "--by", "clerk_a", "-o", str(out)])
        == 0
    )
    assert f"已导出{tree['a']}的 1 条目录信息到 {out}" in capsys.readouterr().out
    assert len(read_xlsx(out.read_bytes())) == 2
    assert (
        main(["catalog", "export", "items", "--agency", str(tree["a"].pk), "--by", "clerk_a", "-o", str(out)])
        == 2
    )
    assert "已存在" in capsys.readouterr().err
    assert (
        main(["catalog", "export", "posts", "--agency", str(tree["a"].pk), "--by", "clerk_a", "-o", "a.csv"])
        == 2
    )
    assert "应以 .xlsx 结尾" in capsys.readouterr().err
    posts = tmp_path / "发布.xlsx"
    assert (
        main(
            ["catalog", "export", "posts", "--agency", str(tree["a"].pk), "--by", "clerk_a", "-o", str(posts)]
        )
        == 0
    )
    assert read_xlsx(posts.read_bytes())[0][0] == "账号" and not list(tmp_path.glob(".*.part"))


def test_export_refused_to_another_agencys_staff(tree, clerk_b, tmp_path, capsys):
    out = tmp_path / "目录.xlsx"
    assert (
        main(["catalog", "export", "items", "--agency", str(tree["a"].pk), "--by", "clerk_b", "-o", str(out)])
        == 1
    )
    assert "不能查看" in capsys.readouterr().err and not out.exists()


def test_a_progress_bar_on_a_terminal_only_for_big_files(monkeypatch, capsys):
    with command.progress_bar() as stage:
        assert stage is command.no_progress
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    monkeypatch.delenv("CI", raising=False)
    with command.progress_bar() as stage:
        stage("正在检查", 10)(10)
        advance = stage("正在检查", 5000)
        advance(5000)
    assert stage is not command.no_progress
