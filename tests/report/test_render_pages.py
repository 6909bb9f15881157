"""PDF pages: no page is left near-empty (a heading, a table's last rows or a line or two alone)."""

import io

import pdfplumber
import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, Phase, given, settings

from gongkai.report.formats import FORMAT_2019, FORMAT_2021
from gongkai.report.parse import read_path
from gongkai.report.render import render
from gongkai.report.render.html import render_html
from gongkai.report.render.layout import LAST_PAGE_LINES, Ending, ending, table3_grid
from tests.report.strategies import valid_reports, zero_report

MM = 72 / 25.4
TOP_MARGIN, BOTTOM_MARGIN = 37 * MM, 35 * MM  # the @page margins of the print CSS
# A page other than the last reaches at least this far down its text area (a heading moved with its
# text, or a table kept whole, leave some room at the bottom of a page; half a page is too much).
MIN_FILL = 0.6

SENTENCES = (
    "本机关严格落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外。",
    "持续完善主动公开目录，规范依申请公开办理流程，加强政府网站和政务新媒体管理。",
    "及时回应社会关切，政府信息公开工作质量稳步提高。",
)


def page_facts(pdf_bytes: bytes) -> list[tuple[float, int]]:
    """Per page: how far down the text area its content reaches (0..1), and its lines of text
    (the page number in the bottom margin left out)."""
    facts = []
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        for page in pdf.pages:
            body_bottom = page.height - BOTTOM_MARGIN
            body = page.crop((0, 0, page.width, body_bottom))
            bottoms = [c["bottom"] for c in body.chars] + [line["bottom"] for line in body.lines]
            fill = (max(bottoms, default=TOP_MARGIN) - TOP_MARGIN) / (body_bottom - TOP_MARGIN)
            lines = [line for line in body.extract_text_lines() if line["text"].strip()]
            facts.append((fill, len(lines)))
    return facts


def assert_no_near_empty_page(pdf_bytes: bytes) -> list[tuple[float, int]]:
    facts = page_facts(pdf_bytes)
    thin = [(n, fill) for n, (fill, _) in enumerate(facts[:-1], start=1) if fill < MIN_FILL]
    assert thin == [], f"pages filled less than {MIN_FILL:.0%}: {thin} of {facts}"
    if len(facts) > 1:  # a one-page document may be short
        assert facts[-1][1] >= LAST_PAGE_LINES, f"the last page holds {facts[-1][1]} lines: {facts}"
    return facts


def paragraphs(*counts: int) -> str:
    """Paragraphs of body text, each of `count` sentences."""
    return "\n".join("".join(SENTENCES[i % 3] for i in range(count)) for count in counts)


def test_seed_pdf_has_no_near_empty_page(seed_path):
    data = render(read_path(seed_path), "pdf")
    facts = assert_no_near_empty_page(data)
    assert len(facts) >= 6  # the seed is a long report: the checks above had something to check


@pytest.mark.parametrize(
    "fmt_code,sections",
    [
        # a long section 五, then 六 only "无": the last heading must not stand alone
        ("2019", {"5": paragraphs(6, 5, 7), "6": "无"}),
        # sections 五 and 六 absent: the report ends with table 4
        ("2021", {"5": None, "6": None}),
        # a long report ending in one long paragraph
        ("2021", {"1": paragraphs(4, 8, 6, 3), "5": paragraphs(9, 12), "6": paragraphs(14)}),
        # sub-headings, short paragraphs
        (
            "2019",
            {
                "1": "（一）主动公开\n" + paragraphs(5, 1) + "\n（二）依申请公开\n" + paragraphs(3),
                "6": "无。",
            },
        ),
        # text before table 3 that leaves it little room at the bottom of a page
        ("2021", {"2": paragraphs(10, 9), "3": paragraphs(2)}),
    ],
)
def test_generated_reports_have_no_near_empty_page(fmt_code, sections):
    report = zero_report(fmt_code)
    for code, text in sections.items():
        if text is None:
            del report.sections[code]
        else:
            report.sections[code] = text
    assert_no_near_empty_page(render(report, "pdf"))


@settings(
    max_examples=4,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking would re-render many PDFs
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(report=valid_reports())
def test_drawn_reports_have_no_near_empty_page(report):
    assert_no_near_empty_page(render(report, "pdf"))


def test_table3_breaks_only_between_groups_of_rows():
    for fmt in (FORMAT_2019, FORMAT_2021):
        grid = table3_grid(zero_report(fmt.code), fmt)
        rows, head = fmt.table3_rows, len(grid.head)
        breakable = [rows[i].code for i in range(len(rows) - 1) if head + i not in grid.keep_with_next]
        # never after the first row, inside （三）1–8 and the like, or before the last rows
        assert breakable[0] == "carried_in"
        assert "refused.state_secret" not in breakable and "unable.not_held" not in breakable
        assert breakable[-1] == "not_processed.confirmation"  # （六） and the totals stay together
        assert {"refused.administrative_query", "unable.unclear_after_correction"} <= set(breakable)


def test_print_html_marks_what_stays_together():
    report = zero_report("2019")
    report.sections["5"], report.sections["6"] = paragraphs(6), "无"
    soup = BeautifulSoup(render_html(report, media="print"), "html.parser")
    assert soup.select("table.table3 tr.keep") and not soup.select("table.table3 thead tr.keep")
    kept = [tag.get_text() for tag in soup.select(".with-previous")]
    assert kept == ["六、其他需要报告的事项", "无"]
    (anchor,) = soup.select("#s5 p[style]")
    assert anchor["style"] == f"widows: {LAST_PAGE_LINES - 2}"


def test_ending_keeps_the_last_lines_together():
    # heading 六 and "无" stay with the paragraph before, four of whose lines go along when it breaks
    assert ending([3, 1, 10, 1, 1]) == Ending(frozenset({3, 4}), anchor=2, widows=LAST_PAGE_LINES - 2)
    # a long last paragraph is enough on its own, if at least six of its lines go to the last page
    assert ending([5, 1, 12]) == Ending(frozenset(), anchor=2, widows=LAST_PAGE_LINES)
    # short blocks after a table stay with it (its last rows go along)
    assert ending([5, 1, None, 2]) == Ending(frozenset({3}))
    assert ending([4, None]) == Ending(frozenset(), anchor=1, widows=2)
    assert ending([1, 1]) == Ending(frozenset({1}), anchor=0, widows=LAST_PAGE_LINES - 1)
    assert ending([]) == Ending(frozenset())
