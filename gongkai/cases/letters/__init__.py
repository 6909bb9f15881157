"""The standard documents of a disclosure application (rules.md §2): 接收回执, 补正告知书, 征求第三方意见书,
延期答复告知书, 收费通知书 and one 答复告知书 per outcome group, as text and as a GB/T 9704-style Word file.

- `letter_text` fills a letter from the case: title and body, plain paragraphs separated by "\\n". The body
  ends with the agency's contact lines (`CONTACT_PREFIXES`; the document prints them as a 附注 under the
  date). The signature (seal, agency name, date) and the 文号 are not part of the text: the document adds them
  when the letter is issued, so a draft issued on a later day never carries a stale date.
- The applicant is not named in a 征求第三方意见书: the third party learns what is asked, not who asks.
- What only the clerk knows (the reasons of an extension without a recorded reason, how to pay when the
  agency has not said…) is left as a 【…】 placeholder from `PLACEHOLDERS`; a letter with one cannot go to
  approval or be issued.
- Services: draft → 审核 → 签发 (gongkai.approvals, the agency's levels) → issue with a 文号
  (机关代字〔年份〕序号号); issuing a 答复告知书 concludes the application.

Citations come from gongkai.law (LETTER_GROUNDS names the provisions each letter cites); the basis of a
reply is the one of its outcome in gongkai.report.formats.OUTCOMES.
"""

from __future__ import annotations

from gongkai.cases.letters.document import letter_docx
from gongkai.cases.letters.services import (
    letter_basis,
    letter_discard,
    letter_draft,
    letter_issue,
    letter_limit,
    letter_number_format,
    letter_submit,
    letter_update,
    letter_withdraw,
)
from gongkai.cases.letters.text import CONTACT_PREFIXES, cn_date, letter_placeholders, letter_text, rmb_upper
from gongkai.cases.letters.wording import LETTER_GROUNDS, PLACEHOLDERS, REMEDY, REPLY_TITLES, TITLES, remedy

__all__ = [
    "CONTACT_PREFIXES",
    "LETTER_GROUNDS",
    "PLACEHOLDERS",
    "REMEDY",
    "REPLY_TITLES",
    "TITLES",
    "cn_date",
    "letter_basis",
    "letter_discard",
    "letter_docx",
    "letter_draft",
    "letter_issue",
    "letter_limit",
    "letter_number_format",
    "letter_placeholders",
    "letter_submit",
    "letter_text",
    "letter_update",
    "letter_withdraw",
    "remedy",
    "rmb_upper",
]
