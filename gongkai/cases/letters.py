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

import hashlib
import io
import re
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from gongkai.agencies.permissions import can_write
from gongkai.agencies.validators import mask_id_number
from gongkai.audit.services import audit_record
from gongkai.cases.calendar import work_calendar
from gongkai.cases.clock import CONSULTATION_WORKDAYS, FEE_PAYMENT_WORKDAYS, MAX_EXTENSION_WORKDAYS, due_date
from gongkai.cases.enums import ApplicantKind, ConsultationKind, EventKind, FeeScale, IdType, LetterKind
from gongkai.cases.fees import BASIS as FEE_BASIS
from gongkai.cases.fees import yuan
from gongkai.cases.models import Application, ApplicationEvent, Consultation, FeeNotice, Letter
from gongkai.report.formats import OUTCOMES_BY_CODE
from gongkai.report.render.docx import BODY_FONT, TITLE_FONT, add_run, base_styles, page_setup
from gongkai.workdays import UnconfirmedSchedule

REGULATIONS = "《中华人民共和国政府信息公开条例》"
REGULATIONS_INTRO = f"{REGULATIONS}（以下简称《条例》）"
FEE_MEASURES = f"《政府信息公开信息处理费管理办法》（{FEE_BASIS}）"
SEAL = "（盖章）"

# --- placeholders the clerk fills before issuing ---
P_REVIEW_BODY = "【复议机关】"
P_COURT = "【××】"  # "【××】人民法院": the clerk writes the court's place name
P_DATE = "【日期】"
P_HOW_TO_GET = "【获取方式、途径】"
P_WITHHELD = "【不予公开的内容】"
P_WITHHELD_REASON = "【不予公开的理由及依据】"
P_LAW = "【法律、行政法规名称及条款】"
P_QUERY_KIND = "【工商、不动产登记资料等】"
P_REASON = "【理由】"
P_OTHER_AGENCY = "【负责公开的行政机关名称】"
P_OTHER_CONTACT = "【联系方式】"
P_CHANNEL = "【信访、投诉、举报渠道】"
P_PUBLICATION_WAY = "【获取途径】"
P_OTHER = "【处理情况、理由及依据】"
P_ITEMS = "【需要补正的事项】"
P_DEADLINE = "【补正期限】"
P_EXTENSION_REASON = "【延期理由】"
P_NEW_DUE = "【延长后的答复期限】"
P_PAYMENT = "【缴费方式】"
PLACEHOLDERS = (
    P_REVIEW_BODY,
    P_COURT,
    P_DATE,
    P_HOW_TO_GET,
    P_WITHHELD,
    P_WITHHELD_REASON,
    P_LAW,
    P_QUERY_KIND,
    P_REASON,
    P_OTHER_AGENCY,
    P_OTHER_CONTACT,
    P_CHANNEL,
    P_PUBLICATION_WAY,
    P_OTHER,
    P_ITEMS,
    P_DEADLINE,
    P_EXTENSION_REASON,
    P_NEW_DUE,
    P_PAYMENT,
)

REMEDY = (
    f"如对本答复不服，可以在收到本告知书之日起60日内向{P_REVIEW_BODY}申请行政复议，"
    f"或者在6个月内向{P_COURT}人民法院提起行政诉讼。"
)

# 答复告知书 titles by the letter group of the outcome (formats.Outcome.letter)
REPLY_TITLES = {
    "公开": "政府信息予以公开告知书",
    "部分公开": "政府信息部分公开告知书",
    "不予公开": "政府信息不予公开告知书",
    "无法提供": "政府信息无法提供告知书",
    "不予处理": "政府信息公开申请不予处理告知书",
    "其他": "政府信息公开申请答复告知书",
}
TITLES = {
    LetterKind.RECEIPT: "政府信息公开申请接收回执",
    LetterKind.CORRECTION: "政府信息公开申请补正告知书",
    LetterKind.CONSULTATION: "政府信息公开征求第三方意见书",
    LetterKind.EXTENSION: "政府信息公开申请延期答复告知书",
    LetterKind.FEE: "政府信息公开信息处理费收费通知书",
}
CO_AGENCY_TITLE = "政府信息公开征求意见书"

# The legal basis an issued letter records on its ApplicationEvent (a reply records its outcome's basis).
KIND_BASIS = {
    LetterKind.RECEIPT: "《条例》第三十一条",
    LetterKind.CORRECTION: "《条例》第三十条",
    LetterKind.CONSULTATION: "《条例》第三十二条",
    LetterKind.EXTENSION: "《条例》第三十三条第二款",
    LetterKind.FEE: f"《条例》第四十二条、{FEE_BASIS}",
}

_SCALE_TEXT = {
    FeeScale.BY_COUNT: (
        "按件计收，同一申请人一个自然月内累计申请10件以下（含10件）的，不收费；"
        "11—30件（含30件）的部分，100元/件；31件以上的部分，以10件为一档，每增加一档，收费标准提高100元/件。"
    ),
    FeeScale.BY_VOLUME: (
        "按量计收，同一政府信息公开申请中，30页以下（含30页）的，不收费；31—100页（含100页）的部分，10元/页；"
        "101—200页（含200页）的部分，20元/页；201页以上的部分，40元/页。"
    ),
}

# What the reply says for each outcome; "{basis}" is the outcome's basis from OUTCOMES.
_REPLIES = {
    "already_public": (
        "经查，您申请获取的政府信息本机关已经主动公开。根据{basis}的规定，现告知您获取该政府信息的方式和途径："
        f"{P_HOW_TO_GET}。"
    ),
    "granted": (
        "经审查，您申请获取的政府信息属于可以公开的政府信息。根据{basis}的规定，"
        "本机关现以{form}形式，通过{delivery}方式向您提供该政府信息（见附件）。"
    ),
    "partial": (
        "经审查，您申请获取的信息中含有不应当公开的内容，但是能够作区分处理。根据{basis}的规定，"
        f"本机关向您提供可以公开的政府信息内容（见附件）；其中{P_WITHHELD}因{P_WITHHELD_REASON}，不予公开。"
    ),
    "refused.state_secret": (
        "经审查，您申请获取的政府信息属于依法确定为国家秘密的政府信息。根据{basis}的规定，本机关决定不予公开。"
    ),
    "refused.prohibited_by_law": (
        f"经审查，您申请获取的政府信息属于法律、行政法规禁止公开的政府信息（{P_LAW}）。"
        "根据{basis}的规定，本机关决定不予公开。"
    ),
    "refused.security_stability": (
        "经审查，您申请获取的政府信息公开后可能危及国家安全、公共安全、经济安全、社会稳定。"
        "根据{basis}的规定，本机关决定不予公开。"
    ),
    "refused.third_party": (
        "经审查，您申请获取的政府信息涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害。"
        "根据{basis}的规定，本机关决定不予公开。"
    ),
    "refused.internal_affairs": (
        "经审查，您申请获取的政府信息属于本机关的内部事务信息（人事管理、后勤管理、内部工作流程等方面的信息）。"
        "根据{basis}的规定，本机关决定不予公开。"
    ),
    "refused.process_info": (
        "经审查，您申请获取的政府信息属于本机关在履行行政管理职能过程中形成的讨论记录、过程稿、磋商信函、"
        "请示报告等过程性信息。根据{basis}的规定，本机关决定不予公开。"
    ),
    "refused.enforcement_file": (
        "经审查，您申请获取的政府信息属于行政执法案卷信息。根据{basis}的规定，本机关决定不予公开。"
    ),
    "refused.administrative_query": (
        f"经审查，您申请获取的信息属于{P_QUERY_KIND}信息，有关法律、行政法规对该信息的获取有特别规定。"
        f"根据{{basis}}的规定，请您依照{P_LAW}的规定办理。"
    ),
    "unable.not_held": (
        "经检索，本机关没有您申请公开的政府信息。根据{basis}的规定，现告知您该政府信息不存在。"
    ),
    "unable.not_this_agency": (
        f"经审查，您申请公开的政府信息不属于本机关负责公开，理由是：{P_REASON}。根据{{basis}}的规定，"
        f"现告知您：负责公开该政府信息的行政机关为{P_OTHER_AGENCY}，联系方式：{P_OTHER_CONTACT}。"
    ),
    "unable.needs_creation": (
        "经审查，本机关没有您申请获取的现成信息，提供该信息需要本机关对现有政府信息进行加工、分析。"
        "根据{basis}的规定，本机关不予提供。"
    ),
    "unable.unclear_after_correction": (
        "本机关已于{correction_sent}告知您对申请内容作出补正。经审查，您补正后的申请内容仍不明确，"
        "本机关无法确定您所需的政府信息，故无法向您提供（{basis}）。"
    ),
    "not_processed.petition": (
        "经审查，您是以政府信息公开申请的形式进行信访、投诉、举报等活动。根据{basis}的规定，"
        f"本机关不作为政府信息公开申请处理，您可以通过{P_CHANNEL}提出。"
    ),
    "not_processed.duplicate": (
        f"经查，本机关已于{P_DATE}就您提出的政府信息公开申请作出答复，您本次申请公开的是相同的政府信息。"
        "根据{basis}的规定，本机关不予重复处理。"
    ),
    "not_processed.publication": (
        "经审查，您申请获取的是政府公报、报刊、书籍等公开出版物。根据{basis}的规定，"
        f"现告知您获取的途径：{P_PUBLICATION_WAY}。"
    ),
    "not_processed.excessive": (
        f"您申请公开政府信息的数量、频次明显超过合理范围，本机关已于{P_DATE}要求您说明理由。"
        "经审查，本机关认为您的申请理由不合理。根据{basis}的规定，本机关不予处理。"
    ),
    "not_processed.confirmation": (
        "经审查，您的申请内容是要求本机关确认或者重新出具您已获取的信息，不属于申请获取政府信息。"
        "根据{basis}的规定，本机关不作为政府信息公开申请处理。"
    ),
    "other.no_correction": (
        "本机关已于{correction_sent}向您发出补正告知书，请您于{correction_due}前作出补正。"
        "您无正当理由逾期未补正，根据{basis}的规定，视为放弃申请，本机关不再处理该政府信息公开申请。"
    ),
    "other.fee_unpaid": (
        "本机关已于{fee_sent}向您发出收费通知书，您未在规定期限内缴纳信息处理费。"
        "根据《政府信息公开信息处理费管理办法》（{basis}）的规定，视为放弃申请，"
        "本机关不再处理该政府信息公开申请。"
    ),
    "other.withdrawn": f"您已于{P_DATE}撤回该政府信息公开申请，本机关不再处理该申请。",
    "other.other": P_OTHER,
}


# --- text ---


def cn_date(day: date | None) -> str:
    """2020年3月2日; a placeholder when the date is not known yet."""
    return f"{day.year}年{day.month}月{day.day}日" if day else P_DATE


def reference_number(application: Application) -> str:
    """The 文号 of the letters of an application, "〔2020〕第0001号", from its number ("2020-0001",
    "GK2020-17", or already "〔2020〕第0001号"); the year of receipt when the number has none."""
    number = application.number.strip()
    if number.startswith("〔") or "〔" in number and number.endswith("号"):
        return number
    match = re.search(r"((?:19|20)\d{2})\D*?(\d+)\D*$", number)
    if match:
        return f"〔{match.group(1)}〕第{int(match.group(2)):04d}号"
    digits = "".join(re.findall(r"\d+", number))
    serial = f"{int(digits):04d}" if digits else number
    return f"〔{application.received_on.year}〕第{serial}号"


def rmb_upper(amount: Decimal | int) -> str:
    """Amount in Chinese capital numerals, as printed on payment documents: 1050 -> 壹仟零伍拾元整."""
    fen_total = int((Decimal(amount) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if fen_total < 0:
        raise ValueError(f"amount must not be negative, got {amount}")
    yuan_part, rest = divmod(fen_total, 100)
    jiao, fen = divmod(rest, 10)
    text = f"{_integer_upper(yuan_part)}元" if yuan_part or not rest else ""
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif yuan_part and fen:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    return text if fen else text + "整"


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ("", "拾", "佰", "仟")
_GROUPS = ("", "万", "亿", "万亿")


def _integer_upper(n: int) -> str:
    if n == 0:
        return "零"
    digits = str(n)
    out, zero_pending, group_has_digit = "", False, False
    for i, ch in enumerate(digits):
        pos = len(digits) - 1 - i
        d = int(ch)
        if d == 0:
            zero_pending = bool(out)
        else:
            if zero_pending:
                out += "零"
            out += _DIGITS[d] + _UNITS[pos % 4]
            zero_pending, group_has_digit = False, True
        if pos % 4 == 0:
            if group_has_digit:
                out += _GROUPS[pos // 4]
            group_has_digit = False
    return out


def _you(application: Application) -> str:
    return "您" if application.applicant_kind == ApplicantKind.NATURAL_PERSON else "贵单位"


def _id_shown(application: Application) -> str:
    """A person's identity number is masked; an organisation's 统一社会信用代码 is public."""
    if application.id_type == IdType.CREDIT_CODE:
        return application.id_number
    return mask_id_number(application.id_number)


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith(("。", "；", "！", "？")) else text + "。"


def _quote(text: str) -> str:
    return "“" + " ".join(text.split()) + "”"


CONTACT_PREFIXES = ("联系机构：", "联系人：", "通讯地址：", "联系电话：", "电子邮箱：", "办公时间：")


def _contact_lines(agency) -> list[str]:
    office = agency.name
    if agency.office_name and agency.office_name != agency.name:
        office = f"{agency.name}（{agency.office_name}）"
    lines = [f"联系机构：{office}"]
    if agency.address:
        lines.append(
            f"通讯地址：{agency.address}" + (f"（邮政编码：{agency.postcode}）" if agency.postcode else "")
        )
    if agency.phone:
        lines.append(f"联系电话：{agency.phone}" + (f"；传真：{agency.fax}" if agency.fax else ""))
    if agency.email:
        lines.append(f"电子邮箱：{agency.email}")
    if agency.hours:
        lines.append(f"办公时间：{agency.hours}")
    return lines


def _received(application: Application, you: str) -> str:
    return (
        f"本机关于{cn_date(application.received_on)}收到{you}提出的政府信息公开申请"
        f"（{reference_number(application)}），{you}在申请中描述所需的政府信息为：{_quote(application.description)}。"
    )


def _latest_correction_sent(application: Application) -> str:
    sent = (
        application.letters.filter(kind=LetterKind.CORRECTION, issued_on__isnull=False)
        .order_by("-issued_on")
        .values_list("issued_on", flat=True)
        .first()
    )
    return cn_date(sent)


def letter_text(
    *,
    application: Application,
    kind: str,
    outcome: str | None = None,
    consultation: Consultation | None = None,
    fee_notice: FeeNotice | None = None,
    extension_days: int | None = None,
    items: Iterable[str] | None = None,
    on: date | None = None,
) -> tuple[str, str]:
    """(title, body) of a letter of `kind` (LetterKind) for `application`.

    outcome: for a reply, an OUTCOMES code (default: the application's outcome). consultation / fee_notice:
    for those letters (default: the application's latest). extension_days: for an extension (default: the
    recorded one; 1..20, and the same as the recorded one when there is one). items: what to correct.
    on: the letter's date, only checked against the case (not before receipt).
    """
    if on is not None and on < application.received_on:
        raise ValueError(f"文书日期 {on} 早于收到申请日期 {application.received_on}")
    agency = application.agency
    you = _you(application)
    kind = LetterKind(kind)
    title = TITLES.get(kind, "")
    if kind == LetterKind.RECEIPT:
        lines = _receipt(application, you)
    elif kind == LetterKind.CORRECTION:
        lines = _correction(application, you, items)
    elif kind == LetterKind.CONSULTATION:
        consultation = consultation or application.consultations.order_by("-sent_on", "-id").first()
        if consultation is None:
            raise ValueError("尚未登记征求意见，无法生成征求意见书")
        if consultation.kind == ConsultationKind.CO_AGENCY:
            title = CO_AGENCY_TITLE
        lines = _consultation(application, consultation)
    elif kind == LetterKind.EXTENSION:
        lines = _extension(application, you, extension_days)
    elif kind == LetterKind.FEE:
        fee_notice = fee_notice or application.fee_notices.order_by("-issued_on", "-id").first()
        if fee_notice is None:
            raise ValueError("尚未计算信息处理费，无法生成收费通知书")
        lines = _fee(application, you, fee_notice)
    else:
        code = str(outcome or application.outcome or "")
        if code not in OUTCOMES_BY_CODE:
            raise ValueError(f"未知的答复结果：{code!r}" if code else "尚未确定答复结果，无法生成答复告知书")
        title = REPLY_TITLES[OUTCOMES_BY_CODE[code].letter]
        lines = _reply(application, you, code, fee_notice)
    salutation = (
        consultation.party if kind == LetterKind.CONSULTATION and consultation else application.applicant_name
    )
    body = [f"{salutation}：", *lines, *_contact_lines(agency)]
    return title, "\n".join(body)


def _receipt(application: Application, you: str) -> list[str]:
    lines = [
        f"{you}提出的政府信息公开申请本机关已收到。根据{REGULATIONS_INTRO}第三十一条的规定，"
        f"本机关收到申请之日为{cn_date(application.received_on)}"
        f"（申请方式：{application.get_channel_display()}）。",
        f"申请编号：{reference_number(application)}；查询码：{application.query_code}。",
        f"申请人：{application.applicant_name}；身份证明：{application.get_id_type_display()}"
        f"（{_id_shown(application)}）。",
        f"所需政府信息的内容描述：{_quote(application.description)}。",
        f"指定提供形式：{application.get_requested_form_display()}；"
        f"获取信息的方式：{application.get_delivery_display()}。",
        "根据《条例》第三十三条的规定，本机关不能当场答复的，将自收到申请之日起20个工作日内予以答复；"
        "需要延长答复期限的，经政府信息公开工作机构负责人同意后告知申请人，延长的期限最长不超过20个工作日。"
        "征求第三方和其他机关意见所需时间不计算在上述期限内。",
        "申请内容不明确的，本机关将根据《条例》第三十条的规定，自收到申请之日起7个工作日内一次性告知补正，"
        "答复期限自本机关收到补正的申请之日起计算。",
    ]
    if application.due_on:
        lines.append(
            f"如无延长答复期限、补正、征求意见等情形，本机关将于{cn_date(application.due_on)}前作出答复。"
        )
    lines.append("特此回执。")
    return lines


def _correction(application: Application, you: str, items: Iterable[str] | None) -> list[str]:
    items = [" ".join(i.split()) for i in (items or ()) if i and i.strip()] or [P_ITEMS]
    deadline = cn_date(application.correction_due_on) if application.correction_due_on else P_DEADLINE
    return [
        _received(application, you),
        f"经审查，{you}的申请内容不明确。根据{REGULATIONS_INTRO}第三十条的规定，请{you}对以下事项作出补正：",
        *(f"{n}．{item}" for n, item in enumerate(items, 1)),
        f"请{you}于{deadline}前将补正后的申请提交本机关。答复期限自本机关收到补正的申请之日起计算。"
        f"{you}无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。",
        "如对补正事项有疑问，可与本机关政府信息公开工作机构联系。",
        "特此告知。",
    ]


def _consultation(application: Application, consultation: Consultation) -> list[str]:
    # The applicant is not named to the consulted party: the letter identifies the application by its number.
    opening = (
        f"本机关于{cn_date(application.received_on)}收到政府信息公开申请（{reference_number(application)}），"
        f"申请人申请获取的政府信息为：{_quote(application.description)}。"
    )
    if consultation.kind == ConsultationKind.CO_AGENCY:
        return [
            opening,
            f"经审查，该政府信息由本机关与贵机关共同制作。根据{REGULATIONS_INTRO}第三十四条的规定，"
            "现征求贵机关意见。",
            f"请贵机关自收到本征求意见书之日起{CONSULTATION_WORKDAYS}个工作日内提出书面意见；"
            "逾期未提出意见的，视为同意公开。",
            "特此函告。",
        ]
    return [
        opening,
        "经审查，公开该政府信息可能损害第三方合法权益。根据"
        f"{REGULATIONS_INTRO}第三十二条的规定，现书面征求您（单位）的意见。",
        f"请您（单位）自收到本征求意见书之日起{CONSULTATION_WORKDAYS}个工作日内提出书面意见，"
        "说明是否同意公开；不同意公开的，请说明理由。",
        "第三方逾期未提出意见的，由本机关依照《条例》的规定决定是否公开。第三方不同意公开且有合理理由的，"
        "本机关不予公开。本机关认为不公开可能对公共利益造成重大影响的，可以决定予以公开，"
        "并将决定公开的政府信息内容和理由书面告知第三方。",
        "特此函告。",
    ]


def _extension(application: Application, you: str, extension_days: int | None) -> list[str]:
    recorded = application.extension_days
    days = extension_days if extension_days is not None else recorded
    if not 1 <= days <= MAX_EXTENSION_WORKDAYS:
        raise ValueError(f"延长答复期限应为1至{MAX_EXTENSION_WORKDAYS}个工作日，收到 {days}")
    if recorded and days != recorded:
        raise ValueError(f"本申请已延期{recorded}个工作日，只能延期一次")
    try:
        new_due = cn_date(
            due_date(application.clock_start, application.paused_workdays, days, work_calendar())
        )
    except UnconfirmedSchedule:
        new_due = P_NEW_DUE
    return [
        _received(application, you),
        f"因{P_EXTENSION_REASON}，本机关无法在规定期限内作出答复。根据{REGULATIONS_INTRO}第三十三条第二款的规定，"
        f"经本机关政府信息公开工作机构负责人同意，答复期限延长{days}个工作日，"
        f"本机关将于{new_due}前作出答复。",
        "征求第三方和其他机关意见所需时间不计算在答复期限内。",
        "特此告知。",
    ]


def _fee(application: Application, you: str, fee: FeeNotice) -> list[str]:
    unit = "件" if fee.scale == FeeScale.BY_COUNT else "页"
    return [
        _received(application, you),
        f"经审查，{you}申请公开政府信息的数量、频次明显超过合理范围。根据{REGULATIONS_INTRO}第四十二条和"
        f"{FEE_MEASURES}的规定，本机关决定收取信息处理费。",
        f"收费标准：{_SCALE_TEXT[FeeScale(fee.scale)]}",
        f"计收数量：{fee.quantity}{unit}。",
        f"计算过程：{_sentence(fee.calculation)}",
        f"收费金额：人民币{yuan(fee.amount)}（大写：{rmb_upper(fee.amount)}）。",
        f"缴费方式：{P_PAYMENT}。",
        f"请{you}自收到本通知次日起{FEE_PAYMENT_WORKDAYS}个工作日内缴纳上述费用。"
        f"逾期未缴纳的，视为放弃申请，本机关不再处理该政府信息公开申请。",
        "特此通知。",
    ]


def _reply(application: Application, you: str, code: str, fee: FeeNotice | None) -> list[str]:
    outcome = OUTCOMES_BY_CODE[code]
    values = {"basis": outcome.basis}
    if code == "granted":
        values["form"] = application.get_requested_form_display()
        values["delivery"] = application.get_delivery_display()
    if code in ("unable.unclear_after_correction", "other.no_correction"):
        values["correction_sent"] = _latest_correction_sent(application)
        values["correction_due"] = cn_date(application.correction_due_on)
    if code == "other.fee_unpaid":
        fee = fee or application.fee_notices.order_by("-issued_on", "-id").first()
        values["fee_sent"] = cn_date(fee.issued_on if fee else None)
    decision = _REPLIES[code].format(**values)
    if you != "您":
        decision = decision.replace("您", you)
    return [
        _received(application, you) + f"根据{REGULATIONS_INTRO}的规定，现答复如下：",
        decision,
        REMEDY,
        "特此告知。",
    ]


def letter_placeholders(body: str) -> list[str]:
    """The placeholders still to fill in a letter's text."""
    return [p for p in PLACEHOLDERS if p in body]


# --- document ---

_RED = RGBColor(0xFF, 0, 0)


def letter_docx(*, agency, title: str, body: str, issued_on: date | None = None) -> bytes:
    """A GB/T 9704-style letter: red agency header with a red rule, title 22pt centred, 文号, salutation,
    body 16pt with a two-character indent, seal placeholder, agency and date right-aligned, and the contact
    lines that end the body as a 附注 "（联系机构：…；联系电话：…）" under the date (GB/T 9704 7.3.6).
    The signature block stays on the page of the last body paragraph."""
    doc = Document()
    page_setup(doc)
    base_styles(doc)
    props = doc.core_properties
    props.title = title
    props.author = props.last_modified_by = agency.name
    props.language = "zh-CN"
    props.subject = "政府信息公开"

    header = doc.add_paragraph(style="Normal")
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_run(header, agency.name, TITLE_FONT, 26).font.color.rgb = _RED
    _red_rule(header)

    heading = doc.add_paragraph(style="Heading 1")
    heading.paragraph_format.space_before = Pt(16)
    add_run(heading, title, TITLE_FONT, 22)

    lines = [line.strip() for line in body.split("\n") if line.strip()]
    contacts: list[str] = []
    while lines and lines[-1].startswith(CONTACT_PREFIXES):
        contacts.insert(0, lines.pop())
    number = next((m.group(0) for line in lines if (m := re.search(r"〔\d{4}〕第\d+号", line))), None)
    if number:
        ref = doc.add_paragraph(style="Normal")
        ref.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_run(ref, number, BODY_FONT, 16)

    paragraph = None
    for i, line in enumerate(lines):
        salutation = i == 0 and line.endswith("：")
        paragraph = doc.add_paragraph(style="Normal" if salutation else "Report Body")
        add_run(paragraph, line, BODY_FONT, 16)
    if paragraph is not None:
        paragraph.paragraph_format.keep_with_next = True

    date_text = cn_date(issued_on) if issued_on else "　　年　　月　　日"
    # GB/T 9704 7.3.5: the agency two characters from the right margin, the date four
    for text, chars in ((SEAL, 2), (agency.name, 2), (date_text, 4)):
        paragraph = doc.add_paragraph(style="Normal")
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = Pt(16 * chars)
        paragraph.paragraph_format.keep_with_next = bool(contacts) or text != date_text
        add_run(paragraph, text, BODY_FONT, 16)
    if contacts:
        note = doc.add_paragraph(style="Report Body")
        add_run(note, "（" + "；".join(contacts) + "）", BODY_FONT, 16)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _red_rule(paragraph) -> None:
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "6"), ("w:color", "FF0000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    # pBdr precedes spacing in the schema; the header paragraph has nothing else between them
    paragraph.paragraph_format.line_spacing = Pt(40)
    paragraph._p.pPr.find(qn("w:spacing")).addprevious(border)


# --- services ---


def _require_write(by, application: Application) -> None:
    if not can_write(by, application.agency):
        raise PermissionDenied(f"您没有在“{application.agency}”出具文书的权限")


def _snapshot(letter: Letter) -> dict:
    return {
        "kind": letter.kind,
        "title": letter.title,
        "body": letter.body,
        "issued_on": letter.issued_on.isoformat() if letter.issued_on else None,
    }


def _clean(title: str, body: str) -> tuple[str, str]:
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise ValidationError("文书标题和正文不能为空")
    if len(title) > Letter._meta.get_field("title").max_length:
        raise ValidationError("文书标题过长")
    return title, body


def letter_draft(*, application: Application, by, kind: str, **context) -> Letter:
    """Draft a letter from the case (see `letter_text` for the context); not issued yet."""
    _require_write(by, application)
    title, body = _clean(*letter_text(application=application, kind=kind, **context))
    with transaction.atomic():
        letter = Letter.objects.create(application=application, kind=LetterKind(kind), title=title, body=body)
        audit_record(
            actor=by, action="letter.draft", obj=letter, agency=application.agency, after=_snapshot(letter)
        )
    return letter


def letter_update(*, letter: Letter, by, title: str, body: str) -> Letter:
    """Edit a draft (fill the placeholders, adjust the wording). An issued letter is never changed."""
    _require_write(by, letter.application)
    title, body = _clean(title, body)
    with transaction.atomic():
        locked = Letter.objects.select_for_update().select_related("application__agency").get(pk=letter.pk)
        if locked.issued_on is not None:
            raise ValidationError("文书已出具，不能再修改")
        before = _snapshot(locked)
        locked.title, locked.body = title, body
        locked.save(update_fields=["title", "body"])
        audit_record(
            actor=by,
            action="letter.update",
            obj=locked,
            agency=locked.application.agency,
            before=before,
            after=_snapshot(locked),
        )
    return locked


def letter_issue(*, letter: Letter, by, on: date) -> Letter:
    """Render the Word document, date the letter and record it on the case. Refused while placeholders
    remain, before the application was received, or when already issued."""
    _require_write(by, letter.application)
    with transaction.atomic():
        locked = Letter.objects.select_for_update().select_related("application__agency").get(pk=letter.pk)
        application = locked.application
        if locked.issued_on is not None:
            raise ValidationError("文书已出具，不能重复出具")
        if on < application.received_on:
            raise ValidationError("出具日期不能早于收到申请日期")
        if missing := letter_placeholders(locked.title + "\n" + locked.body):
            raise ValidationError("文书中还有待填写的内容：" + "、".join(missing))
        before = _snapshot(locked)
        locked.docx = letter_docx(
            agency=application.agency, title=locked.title, body=locked.body, issued_on=on
        )
        locked.issued_on = on
        locked.save(update_fields=["docx", "issued_on"])
        digest = hashlib.sha256(locked.docx).hexdigest()
        audit_record(
            actor=by,
            action="letter.issue",
            obj=locked,
            agency=application.agency,
            before=before,
            after={**_snapshot(locked), "docx_sha256": digest},
        )
        ApplicationEvent.objects.create(
            application=application,
            kind=EventKind.LETTER_ISSUED,
            on=on,
            by=by if getattr(by, "is_authenticated", False) else None,
            basis=_event_basis(locked),
            note=locked.title,
            data={"letter": locked.pk, "kind": locked.kind, "docx_sha256": digest},
        )
    return locked


def _event_basis(letter: Letter) -> str:
    if letter.kind == LetterKind.REPLY:
        outcome = OUTCOMES_BY_CODE.get(letter.application.outcome)
        return outcome.basis if outcome else ""
    return KIND_BASIS.get(LetterKind(letter.kind), "")
