"""How fast `gongkai check` reads and checks published reports, per input format.

Generates N consistent reports (both layouts, random numbers), writes each in every input format with
gongkai's own writers, then times `gongkai check --json DIR` as a fresh process per format (start-up
included, one core: the command is single-threaded). For PDF it also times bare text extraction of the
same files (PDFium, the extractor the PDF reader uses) in a fresh process, and prints the ratio.

    .venv/bin/python bench/check_throughput.py            # N = 1000 (text/Markdown/HTML/DOCX), 200 PDF
    .venv/bin/python bench/check_throughput.py --n 100 --pdf-n 50

Goals (issue 2): >= 300 text/Markdown reports/s over a 1,000-file directory; PDF within 1.3x of bare
text extraction.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from gongkai.report.formats import FORMATS, TABLE3_APPLICANT_COLUMNS, TABLE4_GROUPS
from gongkai.report.model import Cell, empty_report
from gongkai.report.render import render

AGENCIES = [
    "沙坡头区科学技术局",
    "中卫市生态环境局",
    "平潭综合实验区管委会办公室",
    "某某县人民政府办公室",
    "某某市自然资源局",
]
TEXT = (
    "本年度严格落实政府信息公开条例，坚持以公开为常态、不公开为例外，持续完善主动公开目录，"
    "规范依申请公开办理流程，加强政府网站和政务新媒体管理。"
)


def make_report(rng: random.Random, n: int):
    fmt = FORMATS[rng.choice(["2019", "2021"])]
    year = rng.choice([2019, 2020]) if fmt.code == "2019" else rng.randint(2021, 2025)
    agency = f"{rng.choice(AGENCIES)}{n}"
    report = empty_report(fmt, agency=agency, year=year, title=f"{agency}{year}年政府信息公开工作年度报告")
    report.preamble = f"本年度报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
    report.sections = {str(i): TEXT * rng.randint(1, 4) for i in range(1, 7)}
    for block in fmt.table2:
        for row in block.rows:
            for column in block.columns:
                value = (
                    Decimal(rng.randint(0, 99999)) / 100 if column.kind == "money" else rng.randint(0, 300)
                )
                report.table2[row.code][column.code] = Cell(str(value))
    outcomes = [
        r.code for r in fmt.table3_rows if r.code not in ("new", "carried_in", "total", "carried_out")
    ]
    columns = range(len(TABLE3_APPLICANT_COLUMNS))
    grid = {code: [rng.choice([0, 0, 0, rng.randint(0, 40)]) for _ in columns] for code in outcomes}
    grid["total"] = [sum(grid[code][c] for code in outcomes) for c in columns]
    grid["carried_in"] = [rng.randint(0, min(5, t)) for t in grid["total"]]
    grid["carried_out"] = [rng.randint(0, 5) for _ in columns]
    grid["new"] = [grid["total"][c] + grid["carried_out"][c] - grid["carried_in"][c] for c in columns]
    for code, values in grid.items():
        report.table3[code] = [Cell(str(v)) for v in [*values, sum(values)]]
    for group in TABLE4_GROUPS:
        parts = [rng.randint(0, 3) for _ in range(4)]
        report.table4[group.code] = [Cell(str(v)) for v in [*parts, sum(parts)]]
    return report


def run(cmd: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd[:3])}… failed ({done.returncode}): {done.stderr[-500:]}")
    return elapsed


BARE_PDF_EXTRACTION = """
import sys, pathlib, pypdfium2
for path in sorted(pathlib.Path(sys.argv[1]).glob('*.pdf')):
    pdf = pypdfium2.PdfDocument(path.read_bytes())
    text = ''.join(page.get_textpage().get_text_range() for page in pdf)
    pdf.close()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="reports per format (text, md, html, docx)")
    parser.add_argument(
        "--pdf-n", type=int, default=200, help="reports for PDF (rendering them takes a while)"
    )
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--formats", default="text,md,html,docx,pdf", help="comma-separated subset to run")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    reports = [make_report(rng, i) for i in range(max(args.n, args.pdf_n))]
    gongkai = [sys.executable, "-m", "gongkai.cli", "check", "--json"]
    rows = []
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-") as tmp:
        wanted = set(args.formats.split(","))
        for kind, ext, count in [
            ("text", "txt", args.n),
            ("md", "md", args.n),
            ("html", "html", args.n),
            ("docx", "docx", args.n),
            ("pdf", "pdf", args.pdf_n),
        ]:
            if kind not in wanted:
                continue
            folder = Path(tmp) / kind
            folder.mkdir()
            started = time.perf_counter()
            writer = "md" if kind == "text" else kind
            for i, report in enumerate(reports[:count]):
                data = render(report, writer)
                if kind == "text":  # plain text as PDF extraction gives it: no Markdown marks, tab cells
                    data = _plain(data.decode()).encode()
                (folder / f"{i:05d}.{ext}").write_bytes(data)
            made = time.perf_counter() - started
            seconds = run([*gongkai, str(folder)])
            rows.append((kind, count, seconds, count / seconds, made))
            print(
                f"{kind:5} {count:5} files  check {seconds:7.2f} s  {count / seconds:8.1f} reports/s"
                f"   (writing them took {made:.1f} s)",
                flush=True,
            )
            if kind == "pdf":
                bare = run([sys.executable, "-c", BARE_PDF_EXTRACTION, str(folder)])
                print(
                    f"pdf   bare text extraction (PDFium, fresh process) {bare:.2f} s  {count / bare:.1f} files/s;"
                    f" check / extraction = {seconds / bare:.2f}x  (goal <= 1.3x)"
                )
    text_rates = [r[3] for r in rows if r[0] in ("text", "md")]
    if text_rates:
        print(f"text/Markdown: {min(text_rates):.0f} reports/s (goal >= 300)")


def _plain(markdown: str) -> str:
    lines = []
    for line in markdown.splitlines():
        line = line.lstrip("#").strip()
        if line.startswith("|"):
            if set(line) <= set("|-: "):
                continue
            line = "\t".join(c.strip() for c in line.strip("|").split("|"))
        lines.append(line)
    return "\n".join(lines)


if __name__ == "__main__":
    main()
