"""The standard documents of a disclosure application (rules.md §2): 接收回执, 补正告知书, 征求第三方意见书,
延期答复告知书, 收费通知书 and one 答复告知书 per outcome group, as text and as a GB/T 9704-style Word file.

- `letter_text` fills a letter from the case: title and body, plain paragraphs separated by "\\n". The body
  ends with the agency's contact lines (`CONTACT_PREFIXES`; the document prints them as a 附注 under the
  date). The signature (seal, agency name, date) is not part of the text: the document adds it from the
  issue date, so a draft issued on a later day never carries a stale date.
- The applicant is not named in a 征求第三方意见书: the third party learns what is asked, not who asks.
- What only the clerk knows (the review body and court, the reasons of an extension, how to pay…) is left
  as a 【…】 placeholder from `PLACEHOLDERS`; `letter_issue` refuses a letter that still has one.
- Services `letter_draft`, `letter_update`, `letter_issue`: one transaction each with an audit event; issuing
  also records an ApplicationEvent. An issued letter is never changed again.

Legal texts follow the 《中华人民共和国政府信息公开条例》 (国务院令第711号) and 国办函〔2020〕109号; the basis
of a reply is the one of its outcome in gongkai.report.formats.OUTCOMES, cited verbatim.
"""

from __future__ import annotations

from gongkai.cases.letters.document import (
    letter_docx,
)
from gongkai.cases.letters.services import (
    letter_draft,
    letter_issue,
    letter_update,
)
from gongkai.cases.letters.text import (
    CONTACT_PREFIXES,
    cn_date,
    letter_placeholders,
    letter_text,
    reference_number,
    rmb_upper,
)
from gongkai.cases.letters.wording import (
    CO_AGENCY_TITLE,
    FEE_MEASURES,
    KIND_BASIS,
    P_CHANNEL,
    P_COURT,
    P_DATE,
    P_DEADLINE,
    P_EXTENSION_REASON,
    P_HOW_TO_GET,
    P_ITEMS,
    P_LAW,
    P_NEW_DUE,
    P_OTHER,
    P_OTHER_AGENCY,
    P_OTHER_CONTACT,
    P_PAYMENT,
    P_PUBLICATION_WAY,
    P_QUERY_KIND,
    P_REASON,
    P_REVIEW_BODY,
    P_WITHHELD,
    P_WITHHELD_REASON,
    PLACEHOLDERS,
    REGULATIONS,
    REGULATIONS_INTRO,
    REMEDY,
    REPLY_TITLES,
    SEAL,
    TITLES,
)

__all__ = [
    "CONTACT_PREFIXES",
    "CO_AGENCY_TITLE",
    "FEE_MEASURES",
    "KIND_BASIS",
    "PLACEHOLDERS",
    "P_CHANNEL",
    "P_COURT",
    "P_DATE",
    "P_DEADLINE",
    "P_EXTENSION_REASON",
    "P_HOW_TO_GET",
    "P_ITEMS",
    "P_LAW",
    "P_NEW_DUE",
    "P_OTHER",
    "P_OTHER_AGENCY",
    "P_OTHER_CONTACT",
    "P_PAYMENT",
    "P_PUBLICATION_WAY",
    "P_QUERY_KIND",
    "P_REASON",
    "P_REVIEW_BODY",
    "P_WITHHELD",
    "P_WITHHELD_REASON",
    "REGULATIONS",
    "REGULATIONS_INTRO",
    "REMEDY",
    "REPLY_TITLES",
    "SEAL",
    "TITLES",
    "cn_date",
    "letter_docx",
    "letter_draft",
    "letter_issue",
    "letter_placeholders",
    "letter_text",
    "letter_update",
    "reference_number",
    "rmb_upper",
]
