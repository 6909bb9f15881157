"""The standard 政府信息公开 section of an agency, as data: the first-level columns every platform carries
(国办公开办函〔2019〕61号; observed on gov.cn and provincial sites) and the Art. 20 sub-columns under
法定主动公开内容, each with its update cycle (the 19号 inspection windows: 动态 2 weeks, 通知公告/政策
6 months; a county monitor's maxima for the rest) and its Art. 26 period when a law sets another one.

Pure: no Django (the legal citations come from gongkai.law). `gongkai.catalog.services.catalog_bootstrap` creates these columns for an agency.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gongkai.law import Ground, cite


@dataclass(frozen=True)
class PublishLimit:
    """How long after the information is formed or changed it must be published (Art. 26)."""

    days: int
    working_days: bool  # False: calendar days
    basis: str

    @property
    def text(self) -> str:
        return f"{self.days}{'个工作日' if self.working_days else '日'}（{self.basis}）"


# Art. 26: 20 working days, unless a law sets another period.
ART26 = PublishLimit(20, True, cite(Ground.PUBLISH_PERIOD))
# 预算法 第十四条: budgets and final accounts within 20 days of approval.
BUDGET_LAW = PublishLimit(20, False, f"{cite(Ground.BUDGET_PUBLICATION)}，批准后二十日内")


@dataclass(frozen=True)
class StandardColumn:
    code: str
    name: str
    cycle_days: int | None = None  # None: no update window (the 依申请公开 entry)
    article: str = ""  # the Art. 20 item it carries, e.g. "（一）"
    limit: PublishLimit | None = None  # None: ART26
    children: tuple[StandardColumn, ...] = field(default=())


DYNAMIC_DAYS = 14
POLICY_DAYS = 182
YEAR_DAYS = 365

STANDARD_COLUMNS: tuple[StandardColumn, ...] = (
    StandardColumn("guide", "政府信息公开指南", YEAR_DAYS),
    StandardColumn("rules", "政府信息公开制度", YEAR_DAYS),
    StandardColumn(
        "statutory",
        "法定主动公开内容",
        None,
        children=(
            StandardColumn("functions", "机构职能", YEAR_DAYS, "（二）"),
            StandardColumn(
                "policy",
                "政策文件",
                POLICY_DAYS,
                "（一）",
                children=(
                    StandardColumn("regulations", "规章", POLICY_DAYS, "（一）"),
                    StandardColumn("normative_documents", "行政规范性文件", POLICY_DAYS, "（一）"),
                    StandardColumn("other_documents", "其他文件", POLICY_DAYS, "（一）"),
                ),
            ),
            StandardColumn("plans", "规划计划", YEAR_DAYS, "（三）"),
            StandardColumn("statistics", "统计信息", 90, "（四）"),
            StandardColumn("licensing", "行政许可", POLICY_DAYS, "（五）"),
            StandardColumn("penalty", "行政处罚", POLICY_DAYS, "（六）"),
            StandardColumn("coercion", "行政强制", POLICY_DAYS, "（六）"),
            StandardColumn("budget", "财政预决算", YEAR_DAYS, "（七）", BUDGET_LAW),
            StandardColumn("fees", "行政事业性收费", YEAR_DAYS, "（八）"),
            StandardColumn("procurement", "政府采购", 180, "（九）"),
            StandardColumn("projects", "重大建设项目", POLICY_DAYS, "（十）"),
            StandardColumn("key_areas", "重点领域", 60, "（十一）至（十三）"),
            StandardColumn("recruitment", "公务员招考", YEAR_DAYS, "（十四）"),
        ),
    ),
    StandardColumn("annual", "政府信息公开年报", YEAR_DAYS),
    StandardColumn("apply", "依申请公开", None),
)

# First-level columns shown as the four entries of an agency's 政府信息公开 section.
SECTION_ENTRIES = ("guide", "rules", "statutory", "annual")


def walk(columns: tuple[StandardColumn, ...] = STANDARD_COLUMNS, parent: str | None = None):
    """(parent code, column) for every standard column, parents first."""
    for column in columns:
        yield parent, column
        yield from walk(column.children, column.code)
