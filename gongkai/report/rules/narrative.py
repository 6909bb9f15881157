"""R9–R10: numbers stated in the text against the tables and against the parts they list."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import NamedTuple

from gongkai.report.model import (
    AnnualReport,
    Finding,
    Location,
    Number,
    Severity,
)
from gongkai.report.rules.common import (
    CLAUSE_END,
    NUMBER,
    TABLE4_TOTAL,
    TOTAL,
    plus_text,
    quote_match,
    section_sentences,
    sum_known,
    to_int,
    value3,
    value4,
)

# --- reading numbers in the narrative text (R9, R10) ---


def _clause_before(sentence: str, position: int) -> str:
    """The text from the start of the clause (after the last comma) up to position."""
    start = max(sentence.rfind(p, 0, position) for p in "，,；;：:") + 1
    return sentence[start:position]


# --- R9: figures in the text against the tables ---

# Words that show a phrase counts something other than disclosure applications.
_NOT_APPLICATIONS = re.compile(
    r"复议|诉讼|信访|投诉|举报|建议|提案|热线|工单|来信|来访|许可|补正|延期|收费|法人|企业|组织|机构|网上|信函|当面|传真|邮寄"
)
# Words that show a phrase counts some of the cases, or cases the agency handles as the review body.
_NOT_TOTAL_CASES = re.compile(r"纠正|纠错|维持|撤销|败诉|违法|尚未|结转|上年|受理|审理|办理|收到|办结")
_CASES = r"(?:件|起|宗|个|次)"
_BETWEEN = r"(?:总数|总量|数量)?(?:共计|共|总计|合计|为|达)?"
_NEGATION = r"(?:未发生|未出现|没有发生|没有出现|未收到|未接到|未有|未被|没有|不存在|无(?![需须论法]))"

# Between a verb and 申请: words of one clause, none of which names an outcome ("受理的申请中不予公开…").
_MID = r"(?:(?!予|无法|处理|撤回)[^，。；！？,;\d])"
_RECEIVED = re.compile(
    rf"(?<![未不无有])(?P<verb>收到|新收|受理|接收|接到|办理)(?P<mid>{_MID}{{0,20}}?)申请{_BETWEEN}(?P<n>{NUMBER})件"
)
_NONE_RECEIVED = re.compile(
    rf"(?:未|没有|尚未)(?:收到|接到|受理)(?P<mid>[^，。；！？,;\d]{{0,25}}?)申请(?:的?(?:情况|情形|事项))?{CLAUSE_END}"
)
_CONCLUDED = re.compile(rf"(?<![未尚])办结(?:{_MID}{{0,20}}?申请)?{_BETWEEN}(?P<n>{NUMBER})件")
_GRANTED = re.compile(rf"(?<![不])予以公开(?:的?申请)?{_BETWEEN}(?P<n>{NUMBER})件")
_REVIEW = re.compile(rf"(?<!复议后)行政复议(?:案件|申请)?{_BETWEEN}(?P<n>{NUMBER}){_CASES}")
_LITIGATION = re.compile(rf"行政诉讼(?:案件)?{_BETWEEN}(?P<n>{NUMBER}){_CASES}")
_SUFFIX = r"(?:申请|案件)?(?:的?(?:情况|情形|案件|事项|案例))?"
_NO_REVIEW = re.compile(
    rf"{_NEGATION}(?P<mid>[^，。；！？,;\d]{{0,20}}?)行政复议"
    rf"(?:(?:[、和或及与]|以及)(?:被)?(?:提起)?行政诉讼)?{_SUFFIX}{CLAUSE_END}"
)
_NO_LITIGATION = re.compile(rf"{_NEGATION}(?P<mid>[^，。；！？,;\d]{{0,30}}?)行政诉讼{_SUFFIX}{CLAUSE_END}")


class _Figure(NamedTuple):
    label: str
    value: Number | None


def _new(report: AnnualReport) -> _Figure:
    return _Figure("表三 一、本年新收政府信息公开申请数量（总计）", value3(report, "new", TOTAL))


def _new_and_carried(report: AnnualReport) -> _Figure:
    value = sum_known([value3(report, "new", TOTAL), value3(report, "carried_in", TOTAL)])
    return _Figure("表三 一、本年新收 + 二、上年结转（总计）", value)


def _concluded(report: AnnualReport) -> _Figure:
    return _Figure("表三（七）总计（总计栏）", value3(report, "total", TOTAL))


def _granted(report: AnnualReport) -> _Figure:
    return _Figure("表三（一）予以公开（总计）", value3(report, "granted", TOTAL))


def _review(report: AnnualReport) -> _Figure:
    return _Figure("表四 行政复议总计", value4(report, "review", TABLE4_TOTAL))


def _litigation(report: AnnualReport) -> _Figure:
    value = sum_known(
        value4(report, g, TABLE4_TOTAL) for g in ("litigation_direct", "litigation_after_review")
    )
    return _Figure("表四 行政诉讼（未经复议直接起诉、复议后起诉）总计之和", value)


class _Claim(NamedTuple):
    """A phrase that states a table figure: its pattern and the figures it may mean (the first is reported)."""

    pattern: re.Pattern
    figures: Callable[[AnnualReport, re.Match, str], list[_Figure]]
    # the phrase counts applications: the sentence must be about them and the clause about nothing else
    about_applications: bool = False
    # the phrase counts all cases: the clause must not be about one outcome
    about_all_cases: bool = False


def _received_figures(report: AnnualReport, match: re.Match, sentence: str) -> list[_Figure]:
    after = sentence[match.end() : match.end() + 4]
    including_carried = after.startswith(("（含上年", "(含上年"))
    if match.group("verb") == "办理":  # 办理 may mean received or concluded
        return [_new(report), _concluded(report), _new_and_carried(report)]
    return [_new(report), _new_and_carried(report)] if including_carried else [_new(report)]


_CLAIMS = (
    _Claim(_RECEIVED, _received_figures, about_applications=True),
    _Claim(_NONE_RECEIVED, lambda r, m, s: [_new(r)], about_applications=True),
    _Claim(_CONCLUDED, lambda r, m, s: [_concluded(r)], about_applications=True),
    _Claim(_GRANTED, lambda r, m, s: [_granted(r)], about_applications=True),
    _Claim(_REVIEW, lambda r, m, s: [_review(r)], about_all_cases=True),
    _Claim(_LITIGATION, lambda r, m, s: [_litigation(r)], about_all_cases=True),
    _Claim(_NO_REVIEW, lambda r, m, s: [_review(r)], about_all_cases=True),
    _Claim(_NO_LITIGATION, lambda r, m, s: [_litigation(r)], about_all_cases=True),
)


def _stated(match: re.Match) -> int:
    """The number a phrase states; phrases without one ("未收到…申请") state zero."""
    return to_int(match.group("n")) if "n" in match.re.groupindex else 0


def _claim_applies(claim: _Claim, match: re.Match, sentence: str, location: Location) -> bool:
    context = _clause_before(sentence, match.start()) + match.group(0)
    if claim.about_applications:
        return "申请" in sentence and not _NOT_APPLICATIONS.search(context)
    if claim.about_all_cases:
        # outside section 四, review and litigation may be about any matter, not disclosure
        about_disclosure = location == Location.section("4") or "公开" in sentence
        return about_disclosure and not _NOT_TOTAL_CASES.search(context)
    return True


def r9_text_vs_tables(report: AnnualReport) -> list[Finding]:
    findings = []
    for location, sentence in section_sentences(report):
        for claim in _CLAIMS:
            for match in claim.pattern.finditer(sentence):
                if not _claim_applies(claim, match, sentence, location):
                    continue
                figures = claim.figures(report, match, sentence)
                stated = _stated(match)
                if any(f.value is None for f in figures) or any(f.value == stated for f in figures):
                    continue
                figure = figures[0]
                findings.append(
                    Finding(
                        "R9",
                        Severity.ERROR,
                        location,
                        f"正文“{quote_match(sentence, match)}”中“{match.group(0)}”为 {stated}，"
                        f"而{figure.label}为 {figure.value}",
                        expected=figure.value,
                        actual=stated,
                    )
                )
    return findings


# --- R10: a stated total against the parts the same sentence lists ---

_UNITS = "人次|场次|条|件|项|个|篇|期|次|场|家|起|宗|份|人|名|批"
_COUNT = re.compile(rf"(?P<n>{NUMBER})(?P<more>余|多)?(?P<unit>{_UNITS})")
_APPROXIMATE_BEFORE = re.compile(r"[近约超逾]过?$")
_APPROXIMATE_AFTER = ("以上", "左右", "余")
_PARENTHESISED = re.compile(r"[（(][^（）()]*[）)]")
# The total is the last count before 其中, at most this many characters before it ("共380条财政资金信息，其中").
_TOTAL_REACH = 12


def _approximate(text: str, match: re.Match) -> bool:
    return bool(
        match.group("more")
        or _APPROXIMATE_BEFORE.search(text[max(0, match.start() - 2) : match.start()])
        or text.startswith(_APPROXIMATE_AFTER, match.end())
    )


def _without_parentheses(text: str) -> str:
    """Text without parenthesised remarks: they break a part down further ("197条（政府预决算32条…）")."""
    while True:
        shorter = _PARENTHESISED.sub("", text)
        if shorter == text:
            return text
        text = shorter


def _total_and_parts(sentence: str) -> Iterator[tuple[re.Match, list[re.Match]]]:
    """For each 其中 of a sentence: the count stated just before it and the counts listed after it."""
    marks = [m.start() for m in re.finditer("其中", sentence)]
    for i, at in enumerate(marks):
        head = _without_parentheses(sentence[:at])
        counts = list(_COUNT.finditer(head))
        if not counts:
            continue
        total = counts[-1]
        gap = head[total.end() :]
        if len(gap) > _TOTAL_REACH or re.search(r"\d", gap) or _approximate(head, total):
            continue
        end = marks[i + 1] if i + 1 < len(marks) else len(sentence)
        tail = _without_parentheses(sentence[at + 2 : end])
        parts = [m for m in _COUNT.finditer(tail) if m.group("unit") == total.group("unit")]
        if len(parts) < 2 or any(_approximate(tail, m) for m in parts):
            continue
        yield total, parts


def r10_text_parts(report: AnnualReport) -> list[Finding]:
    findings = []
    for location, sentence in section_sentences(report):
        for total, parts in _total_and_parts(sentence):
            stated, values = to_int(total.group("n")), [to_int(m.group("n")) for m in parts]
            if stated == sum(values):
                continue
            unit = total.group("unit")
            findings.append(
                Finding(
                    "R10",
                    Severity.WARNING,
                    location,
                    f"正文“{quote_match(sentence, total, width=80)}”：总数为 {stated} {unit}，"
                    f"而其中所列各项之和为 {plus_text(values)} = {sum(values)} {unit}",
                    expected=stated,
                    actual=sum(values),
                )
            )
    return findings
