"""Tables 3 and 4 of the annual report computed from the records (gongkai.reports.selectors): hand counts of
a history across year ends, both layouts, and random records against a plain Python count."""

import datetime as dt
import random

import pytest

from gongkai.agencies.services import agency_create
from gongkai.cases.enums import CaseKind, CaseResult
from gongkai.cases.models import Application, ReviewCase
from gongkai.report.formats import (
    FORMATS,
    OUTCOMES,
    OUTCOMES_BY_CODE,
    TABLE3_APPLICANT_COLUMNS,
    TABLE4_GROUPS,
)
from gongkai.report.rules import check
from gongkai.reports import selectors
from tests import factories

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
KINDS = [c.code for c in TABLE3_APPLICANT_COLUMNS]
app = factories.raw_application


@pytest.fixture(autouse=True)
def _root(db):
    global ROOT
    ROOT = factories.user_with("root", is_superuser=True)


def annual_tables(*, agency, year, format_code=None):
    return selectors.annual_tables(user=ROOT, agency_id=agency.pk, year=year, format_code=format_code)


def annual_tables_all(*, year):
    return selectors.annual_tables_all(user=ROOT, year=year)


# --- annual report tables from the records ---------------------------------------------------------------


@pytest.fixture
def history():
    """One agency's cases over 2019–2021 with carry-over across both year ends, and a neighbour's cases
    that must not count."""
    agency = agency_create(name="沙坡头区自然资源局")
    neighbour = agency_create(name="中宁县自然资源局")
    app(agency, "2019-03-01", concluded="2019-03-20", outcome="granted")
    app(agency, "2019-12-20", concluded="2020-01-10", outcome="partial", kind="commercial")
    app(agency, "2019-12-28", concluded="2021-02-01", outcome="unable.not_held", kind="research")
    app(agency, "2020-05-01", concluded="2020-05-20", outcome="other.no_correction")
    app(agency, "2020-06-01", concluded="2020-06-15", outcome="other.fee_unpaid", kind="legal_service")
    app(agency, "2020-07-01", concluded="2020-07-10", outcome="already_public")
    app(agency, "2020-12-30", kind="public_interest")  # never concluded
    app(agency, "2021-01-05", concluded="2021-01-20", outcome="other.withdrawn", kind="other")
    app(agency, "2021-03-01", concluded="2021-03-05", outcome="other.no_correction")
    app(agency, "2021-04-01", concluded="2021-04-02", outcome="refused.third_party", kind="commercial")
    for when in ("2019-06-01", "2020-06-01", "2020-12-31", "2021-06-01"):
        app(neighbour, when, concluded=when, outcome="granted")
        app(neighbour, when)

    def case(kind, filed, result=CaseResult.PENDING, concluded=None):
        ReviewCase.objects.create(
            agency=agency,
            kind=kind,
            case_number=f"{kind}-{filed}",
            filed_on=D(filed),
            result=result,
            concluded_on=D(concluded) if concluded else None,
        )

    case(CaseKind.REVIEW, "2019-11-01", CaseResult.UPHELD, "2020-02-01")
    case(CaseKind.REVIEW, "2020-03-01")
    case(CaseKind.LITIGATION_DIRECT, "2020-04-01", CaseResult.CORRECTED, "2020-09-01")
    case(CaseKind.LITIGATION_AFTER_REVIEW, "2020-10-01", CaseResult.OTHER, "2021-01-15")
    case(CaseKind.REVIEW, "2018-05-01", CaseResult.CORRECTED, "2018-12-01")  # decided long ago: never counted
    ReviewCase.objects.create(
        agency=neighbour, kind=CaseKind.REVIEW, case_number="x", filed_on=D("2020-01-02")
    )
    return agency


def row(report, code):
    return [cell.value for cell in report.table3[code]]


def t4(report):
    return {group: [cell.value for cell in cells] for group, cells in report.table4.items()}


def r1_to_r4_errors(report, previous=None):
    """Every error of check() but R8: the six text sections are the report builder's, not built from the
    records (table 2, also the builder's, is blank, which R11 reports as info, not as an error)."""
    return [f for f in check(report, previous=previous) if f.severity == "error" and f.rule != "R8"]


#        自然人 商业 科研 公益 法律 其他 总计
def test_2020_in_the_2019_layout_with_a_single_other_row(history):
    report = annual_tables(agency=history, year=2020)
    assert report.format == "2019"
    assert "other" in report.table3 and "other.no_correction" not in report.table3
    assert row(report, "new") == [2, 0, 0, 1, 1, 0, 4]
    assert row(report, "carried_in") == [0, 1, 1, 0, 0, 0, 2]
    assert row(report, "granted") == [1, 0, 0, 0, 0, 0, 1]
    assert row(report, "partial") == [0, 1, 0, 0, 0, 0, 1]
    assert row(report, "other") == [1, 0, 0, 0, 1, 0, 2]
    assert row(report, "total") == [2, 1, 0, 0, 1, 0, 4]
    assert row(report, "carried_out") == [0, 0, 1, 1, 0, 0, 2]
    assert row(report, "unable.not_held") == [0] * 7
    assert t4(report) == {
        "review": [1, 0, 0, 1, 2],
        "litigation_direct": [0, 1, 0, 0, 1],
        "litigation_after_review": [0, 0, 0, 1, 1],
    }
    assert report.agency == "沙坡头区自然资源局" and report.year == 2020
    assert r1_to_r4_errors(report, annual_tables(agency=history, year=2019)) == []


def test_2021_in_the_2021_layout_with_three_other_rows(history):
    report = annual_tables(agency=history, year=2021)
    assert report.format == "2021"
    assert "other" not in report.table3
    assert row(report, "new") == [1, 1, 0, 0, 0, 1, 3]
    assert row(report, "carried_in") == [0, 0, 1, 1, 0, 0, 2]
    assert row(report, "unable.not_held") == [0, 0, 1, 0, 0, 0, 1]
    assert row(report, "refused.third_party") == [0, 1, 0, 0, 0, 0, 1]
    assert row(report, "other.no_correction") == [1, 0, 0, 0, 0, 0, 1]
    assert row(report, "other.fee_unpaid") == [0] * 7
    assert row(report, "other.other") == [0, 0, 0, 0, 0, 1, 1]
    assert row(report, "total") == [1, 1, 1, 0, 0, 1, 4]
    assert row(report, "carried_out") == [0, 0, 0, 1, 0, 0, 1]
    assert t4(report) == {
        "review": [0, 0, 0, 1, 1],
        "litigation_direct": [0, 0, 0, 0, 0],
        "litigation_after_review": [0, 0, 1, 0, 1],
    }
    assert r1_to_r4_errors(report, annual_tables(agency=history, year=2020)) == []


def test_2019_and_an_explicit_layout(history):
    report = annual_tables(agency=history, year=2019)
    assert row(report, "new") == [1, 1, 1, 0, 0, 0, 3]
    assert row(report, "carried_in") == [0] * 7
    assert row(report, "total") == [1, 0, 0, 0, 0, 0, 1]
    assert row(report, "carried_out") == [0, 1, 1, 0, 0, 0, 2]
    assert t4(report)["review"] == [0, 0, 0, 1, 1]
    forced = annual_tables(agency=history, year=2020, format_code="2021")
    assert forced.format == "2021"
    assert row(forced, "other.no_correction") == [1, 0, 0, 0, 0, 0, 1]
    assert row(forced, "other.fee_unpaid") == [0, 0, 0, 0, 1, 0, 1]


def test_an_agency_without_applications_reports_zeros_not_blanks():
    agency = agency_create(name="沙坡头区科学技术局")
    report = annual_tables(agency=agency, year=2020)
    assert all(cell.raw == "0" for cells in report.table3.values() for cell in cells)
    assert all(cell.raw == "0" for cells in report.table4.values() for cell in cells)
    assert len(report.table3) == len(FORMATS["2019"].table3_rows)
    assert r1_to_r4_errors(report) == []


def test_unknown_outcomes_are_counted_and_flagged():
    agency = agency_create(name="某局")
    app(agency, "2021-05-01", concluded="2021-05-02", outcome="")
    app(agency, "2021-05-01", concluded="2021-05-02", outcome="granted", kind="bogus")
    report = annual_tables(agency=agency, year=2021)
    assert row(report, "other.other")[-1] == 1
    assert row(report, "total")[-1] == 2
    assert {f.rule for f in report.findings} == {"DATA"}
    assert len(report.findings) == 2
    assert r1_to_r4_errors(report) == []


def reference_tables(apps, cases, year, fmt_code):
    """Table 3 and 4 counted one case at a time in Python, straight from rules.md §2."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    fmt = FORMATS[fmt_code]
    t3 = {r.code: [0] * 6 for r in fmt.table3_rows}
    for a in apps:
        if a.received_on > end or (a.concluded_on and a.concluded_on < start):
            continue
        c = KINDS.index(a.applicant_kind)
        t3["new" if a.received_on >= start else "carried_in"][c] += 1
        if a.concluded_on and a.concluded_on <= end:
            t3[OUTCOMES_BY_CODE[a.outcome].row(fmt_code)][c] += 1
            t3["total"][c] += 1
        else:
            t3["carried_out"][c] += 1
    table3 = {code: [*v, sum(v)] for code, v in t3.items()}
    t4 = {g.code: [0, 0, 0, 0] for g in TABLE4_GROUPS}
    results = [CaseResult.UPHELD, CaseResult.CORRECTED, CaseResult.OTHER]
    for k in cases:
        if k.filed_on > end:
            continue
        decided = k.result != CaseResult.PENDING and k.concluded_on is not None
        if decided and k.concluded_on < start:
            continue
        if decided and k.concluded_on <= end:
            t4[k.kind][results.index(k.result)] += 1
        else:
            t4[k.kind][3] += 1
    table4 = {code: [*v, sum(v)] for code, v in t4.items()}
    return table3, table4


@pytest.mark.parametrize("seed", range(6))
def test_random_records_match_a_hand_count_and_pass_the_rules(seed):
    rng = random.Random(seed)
    agencies = [agency_create(name=f"随机机关{seed}-{i}") for i in range(3)]
    apps, cases = {a.pk: [] for a in agencies}, {a.pk: [] for a in agencies}
    for agency in agencies:
        for _ in range(rng.randrange(0, 120)):
            received = D("2018-10-01") + dt.timedelta(days=rng.randrange(5 * 365))
            concluded = None
            if rng.random() < 0.85:
                concluded = received + dt.timedelta(days=rng.choice([0, 1, 15, 30, 45, 90, 400]))
            obj = app(
                agency,
                received,
                concluded=concluded,
                outcome=rng.choice(OUTCOMES).code if concluded else rng.choice(["", "granted"]),
                kind=rng.choice(KINDS),
                save=False,
            )
            apps[agency.pk].append(obj)
        Application.objects.bulk_create(apps[agency.pk])
        for _ in range(rng.randrange(0, 15)):
            filed = D("2018-10-01") + dt.timedelta(days=rng.randrange(5 * 365))
            result = rng.choice(CaseResult.values)
            concluded = filed + dt.timedelta(days=rng.randrange(400)) if rng.random() < 0.8 else None
            cases[agency.pk].append(
                ReviewCase.objects.create(
                    agency=agency,
                    kind=rng.choice(CaseKind.values),
                    case_number=f"{seed}-{rng.random()}",
                    filed_on=filed,
                    result=result,
                    concluded_on=concluded,
                )
            )
    for year in range(2019, 2023):
        everything = annual_tables_all(year=year)
        for agency in agencies:
            report = annual_tables(agency=agency, year=year)
            fmt_code = "2021" if year >= 2021 else "2019"
            assert report.format == fmt_code
            table3, table4 = reference_tables(apps[agency.pk], cases[agency.pk], year, fmt_code)
            assert {code: [c.value for c in cells] for code, cells in report.table3.items()} == table3
            assert t4(report) == table4
            previous = annual_tables(agency=agency, year=year - 1)
            assert r1_to_r4_errors(report, previous) == []
            assert everything[agency.pk].table3 == report.table3
            assert everything[agency.pk].table4 == report.table4
