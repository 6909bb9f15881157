"""The legal provisions gongkai cites, as data: one table, read by the outcome mapping (report/formats.py), the
events of a case, the letters and the pages. Pure Python, no Django.

Articles are those of the 《中华人民共和国政府信息公开条例》 (国务院令第711号, revised 2019); each entry of
`CITATIONS` was checked against its text:

- Art. 27 who may apply; Art. 29 what an application contains; Art. 31 the day it counts as received;
- Art. 30 补正: one notice within 7 working days, the clock restarts, not corrected in time = abandoned;
- Art. 32 third party (15 working days to answer); Art. 34 co-producing agency (15 working days, silence =
  consent);
- Art. 33 (1) reply on the spot if possible; (2) otherwise within 20 working days, one extension of at most
  20 working days approved by the head of the disclosure office and notified to the applicant; (3) the time
  spent consulting third parties and other agencies is not counted;
- Art. 35 excessive requests; Art. 36 (一)–(七) the kinds of reply; Art. 37 partial disclosure; Art. 38 no new
  processing; Art. 39 (1) petitions, complaints, reports, (2) publications;
- Art. 14 state secrets, information that law forbids, 三安全一稳定; Art. 15 third parties' rights; Art. 16 (1)
  internal affairs, (2) process information and enforcement files;
- Art. 42 (1) 信息处理费 only when quantity or frequency clearly exceed a reasonable range; the measures are
  国办函〔2020〕109号 (《政府信息公开信息处理费管理办法》).
- Art. 12 the 指南 and 目录; Art. 20 what every agency publishes proactively; Art. 26 publication within 20
  working days of forming or change, unless a law sets another period (the 预算法, Art. 14: budgets and
  final accounts within 20 days of approval); Art. 19 what concerns the public; Art. 49 the annual report;
  Art. 51 complaints, administrative review and lawsuits.
- Art. 2 defines 政府信息 (information an agency made or obtained in its work): a request to confirm or
  re-issue information the applicant already has asks for no 政府信息 (derived; the Regulations have no
  article on it).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

REGULATIONS = "《中华人民共和国政府信息公开条例》"
REGULATIONS_SHORT = "《条例》"
REGULATIONS_INTRO = f"{REGULATIONS}（以下简称{REGULATIONS_SHORT}）"
FEE_NOTICE_NUMBER = "国办函〔2020〕109号"
FEE_MEASURES = f"《政府信息公开信息处理费管理办法》（{FEE_NOTICE_NUMBER}）"

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 33 -> 三十三, 105 -> 一百零五 (article numbers of a regulation)."""
    if not 0 < n < 1000:
        raise ValueError(f"article numbers run from 1 to 999, got {n}")
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    out = f"{_DIGITS[hundreds]}百" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十"
    elif hundreds and units:
        out += "零"
    if units:
        out += _DIGITS[units]
    return out


@dataclass(frozen=True)
class Citation:
    """One provision: an article of the Regulations (with paragraph 款 and item 项), or another document."""

    article: int | None = None
    paragraph: int | None = None
    item: int | None = None
    document: str = ""  # another document, e.g. 国办函〔2020〕109号; empty for the Regulations

    def __str__(self) -> str:
        """第三十三条第二款 / 第三十六条第（三）项 / 国办函〔2020〕109号 (without the Regulations' name)."""
        if self.document:
            return self.document
        text = f"第{chinese_number(self.article)}条"
        if self.paragraph:
            text += f"第{chinese_number(self.paragraph)}款"
        if self.item:
            text += f"第（{chinese_number(self.item)}）项"
        return text


class Ground(StrEnum):
    """Why something is done: the key of `CITATIONS`."""

    RIGHT_TO_APPLY = "right_to_apply"  # Art. 27
    APPLICATION = "application"  # Art. 29
    RECEIPT_DATE = "receipt_date"  # Art. 31
    CORRECTION = "correction"  # Art. 30
    ON_THE_SPOT = "on_the_spot"  # Art. 33 (1)
    REPLY_PERIOD = "reply_period"  # Art. 33 (2): 20 working days
    EXTENSION = "extension"  # Art. 33 (2): one extension of at most 20 working days
    CONSULTATION_TIME = "consultation_time"  # Art. 33 (3): consultation time not counted
    THIRD_PARTY = "third_party"  # Art. 32
    CO_AGENCY = "co_agency"  # Art. 34
    EXCESSIVE = "excessive"  # Art. 35
    ALREADY_PUBLIC = "already_public"  # Art. 36 (一)
    GRANTED = "granted"  # Art. 36 (二)
    REFUSED = "refused"  # Art. 36 (三)
    NOT_HELD = "not_held"  # Art. 36 (四)
    NOT_THIS_AGENCY = "not_this_agency"  # Art. 36 (五)
    DUPLICATE = "duplicate"  # Art. 36 (六)
    ADMINISTRATIVE_QUERY = "administrative_query"  # Art. 36 (七)
    PARTIAL = "partial"  # Art. 37
    NEEDS_CREATION = "needs_creation"  # Art. 38
    PETITION = "petition"  # Art. 39 (1)
    PUBLICATION = "publication"  # Art. 39 (2)
    SECRET_OR_FORBIDDEN = "secret_or_forbidden"  # Art. 14
    THIRD_PARTY_RIGHTS = "third_party_rights"  # Art. 15
    INTERNAL_AFFAIRS = "internal_affairs"  # Art. 16 (1)
    PROCESS_OR_ENFORCEMENT = "process_or_enforcement"  # Art. 16 (2)
    NOT_GOVERNMENT_INFORMATION = "not_government_information"  # Art. 2 (derived)
    FEE = "fee"  # Art. 42 (1)
    FEE_MEASURES = "fee_measures"  # 国办函〔2020〕109号
    GUIDE = "guide"  # Art. 12: the 指南 and the 目录
    PROACTIVE_CONTENT = "proactive_content"  # Art. 20: what every agency publishes
    PUBLISH_PERIOD = "publish_period"  # Art. 26: within 20 working days
    BUDGET_PUBLICATION = "budget_publication"  # 预算法 Art. 14: 20 days after approval
    PUBLIC_INTEREST = "public_interest"  # Art. 19: what concerns the public is published proactively
    ANNUAL_REPORT = "annual_report"  # Art. 49: the annual report and its dates
    REMEDY = "remedy"  # Art. 51: complaint, administrative review, lawsuit


CITATIONS: dict[Ground, Citation] = {
    Ground.RIGHT_TO_APPLY: Citation(27),
    Ground.APPLICATION: Citation(29),
    Ground.RECEIPT_DATE: Citation(31),
    Ground.CORRECTION: Citation(30),
    Ground.ON_THE_SPOT: Citation(33, 1),
    Ground.REPLY_PERIOD: Citation(33, 2),
    Ground.EXTENSION: Citation(33, 2),
    Ground.CONSULTATION_TIME: Citation(33, 3),
    Ground.THIRD_PARTY: Citation(32),
    Ground.CO_AGENCY: Citation(34),
    Ground.EXCESSIVE: Citation(35),
    Ground.ALREADY_PUBLIC: Citation(36, item=1),
    Ground.GRANTED: Citation(36, item=2),
    Ground.REFUSED: Citation(36, item=3),
    Ground.NOT_HELD: Citation(36, item=4),
    Ground.NOT_THIS_AGENCY: Citation(36, item=5),
    Ground.DUPLICATE: Citation(36, item=6),
    Ground.ADMINISTRATIVE_QUERY: Citation(36, item=7),
    Ground.PARTIAL: Citation(37),
    Ground.NEEDS_CREATION: Citation(38),
    Ground.PETITION: Citation(39, 1),
    Ground.PUBLICATION: Citation(39, 2),
    Ground.SECRET_OR_FORBIDDEN: Citation(14),
    Ground.THIRD_PARTY_RIGHTS: Citation(15),
    Ground.INTERNAL_AFFAIRS: Citation(16, 1),
    Ground.PROCESS_OR_ENFORCEMENT: Citation(16, 2),
    Ground.NOT_GOVERNMENT_INFORMATION: Citation(2),
    Ground.FEE: Citation(42, 1),
    Ground.FEE_MEASURES: Citation(document=FEE_NOTICE_NUMBER),
    Ground.GUIDE: Citation(12),
    Ground.PROACTIVE_CONTENT: Citation(20),
    Ground.PUBLISH_PERIOD: Citation(26),
    Ground.BUDGET_PUBLICATION: Citation(document="《中华人民共和国预算法》第十四条"),
    Ground.PUBLIC_INTEREST: Citation(19),
    Ground.ANNUAL_REPORT: Citation(49),
    Ground.REMEDY: Citation(51),
}


def cite(*grounds: Ground, intro: bool = False) -> str:
    """The legal basis of `grounds` as printed: "《条例》第三十二条、第三十三条第三款", "国办函〔2020〕109号",
    "《条例》第四十二条第一款、国办函〔2020〕109号". `intro` names the Regulations in full the first time
    (a letter's first citation): "《中华人民共和国政府信息公开条例》（以下简称《条例》）第三十条"."""
    parts: list[str] = []
    articles: list[str] = []

    def flush() -> None:
        if articles:
            name = REGULATIONS_INTRO if intro and not parts else REGULATIONS_SHORT
            parts.append(name + "、".join(articles))
            articles.clear()

    for ground in grounds:
        citation = CITATIONS[ground]
        if citation.document:
            flush()
            parts.append(str(citation))
        else:
            articles.append(str(citation))
    flush()
    return "、".join(parts)
