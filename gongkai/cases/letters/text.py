"""`letter_text`: each letter's title and body filled from the case."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from gongkai.cases.applicant import Surface, shown_identity
from gongkai.cases.calendar import work_calendar
from gongkai.cases.clock import (
    CONSULTATION_WORKDAYS,
    CORRECTION_NOTICE_WORKDAYS,
    FEE_PAYMENT_WORKDAYS,
    MAX_EXTENSION_WORKDAYS,
    REPLY_WORKDAYS,
    due_date,
)
from gongkai.cases.enums import ApplicantKind, ConsultationKind, FeeScale, LetterKind
from gongkai.cases.fees import yuan
from gongkai.cases.letters.wording import (
    _REPLIES,
    _SCALE_TEXT,
    CO_AGENCY_TITLE,
    P_DATE,
    P_DEADLINE,
    P_EXTENSION_REASON,
    P_ITEMS,
    P_PAYMENT,
    PLACEHOLDERS,
    REPLY_TITLES,
    TITLES,
    remedy,
)
from gongkai.cases.models import Application, Consultation, FeeNotice
from gongkai.law import FEE_MEASURES, REGULATIONS_INTRO, Ground, cite
from gongkai.report.formats import OUTCOMES_BY_CODE

# --- text ---


def cn_date(day: date | None) -> str:
    """2020年3月2日; a placeholder when the date is not known yet."""
    return f"{day.year}年{day.month}月{day.day}日" if day else P_DATE


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
    return shown_identity(
        id_type=application.id_type, id_number=application.id_number, phone=application.phone,
        surface=Surface.LETTER, staff=True,
    ).id_number  # fmt: skip


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
        f"（申请编号：{application.number}），{you}在申请中描述所需的政府信息为：{_quote(application.description)}。"
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
    extension_reason: str | None = None,
    items: Iterable[str] | None = None,
    on: date | None = None,
) -> tuple[str, str]:
    """(title, body) of a letter of `kind` (LetterKind) for `application`.

    outcome: for a reply, an OUTCOMES code (default: the application's outcome). consultation / fee_notice:
    for those letters (default: the application's latest). extension_days / extension_reason: for an
    extension (default: the recorded days; 1..20, the same as the recorded ones when there are some).
    items: what to correct. on: the letter's date, only checked against the case (not before receipt).
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
        lines = _extension(application, you, extension_days, extension_reason)
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
        f"{you}提出的政府信息公开申请本机关已收到。根据{cite(Ground.RECEIPT_DATE, intro=True)}的规定，"
        f"本机关收到申请之日为{cn_date(application.received_on)}"
        f"（申请方式：{application.get_channel_display()}）。",
        f"申请编号：{application.number}；查询码：{application.query_code}。",
        f"申请人：{application.applicant_name}；身份证明：{application.get_id_type_display()}"
        f"（{_id_shown(application)}）。",
        f"所需政府信息的内容描述：{_quote(application.description)}。",
        f"指定提供形式：{application.get_requested_form_display()}；"
        f"获取信息的方式：{application.get_delivery_display()}。",
        f"根据{cite(Ground.REPLY_PERIOD)}的规定，本机关不能当场答复的，将自收到申请之日起{REPLY_WORKDAYS}个工作日内"
        "予以答复；需要延长答复期限的，经政府信息公开工作机构负责人同意后告知申请人，延长的期限最长不超过"
        f"{MAX_EXTENSION_WORKDAYS}个工作日。根据{cite(Ground.CONSULTATION_TIME)}的规定，征求第三方和其他机关意见"
        "所需时间不计算在上述期限内。",
        f"申请内容不明确的，本机关将根据{cite(Ground.CORRECTION)}的规定，自收到申请之日起"
        f"{CORRECTION_NOTICE_WORKDAYS}个工作日内一次性告知补正，答复期限自本机关收到补正的申请之日起计算。",
    ]
    # A date counted on an estimate (the holiday schedule of its year not published yet) is no deadline a
    # letter may state: the period above, in words, is the commitment.
    if application.due_on and not application.due_on_estimated:
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
        f"经审查，{you}的申请内容不明确。根据{cite(Ground.CORRECTION, intro=True)}的规定，请{you}对以下事项作出补正：",
        *(f"{n}．{item}" for n, item in enumerate(items, 1)),
        f"请{you}于{deadline}前将补正后的申请提交本机关。答复期限自本机关收到补正的申请之日起计算。"
        f"{you}无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。",
        "如对补正事项有疑问，可与本机关政府信息公开工作机构联系。",
        "特此告知。",
    ]


def _consultation(application: Application, consultation: Consultation) -> list[str]:
    # The applicant is not named to the consulted party: the letter identifies the application by its number.
    opening = (
        f"本机关于{cn_date(application.received_on)}收到政府信息公开申请（申请编号：{application.number}），"
        f"申请人申请获取的政府信息为：{_quote(application.description)}。"
    )
    if consultation.kind == ConsultationKind.CO_AGENCY:
        return [
            opening,
            f"经审查，该政府信息由本机关与贵机关共同制作。根据{cite(Ground.CO_AGENCY, intro=True)}的规定，"
            "现征求贵机关意见。",
            f"请贵机关自收到本征求意见书之日起{CONSULTATION_WORKDAYS}个工作日内提出书面意见；"
            "逾期未提出意见的，视为同意公开。",
            "特此函告。",
        ]
    return [
        opening,
        "经审查，公开该政府信息可能损害第三方合法权益。根据"
        f"{cite(Ground.THIRD_PARTY, intro=True)}的规定，现书面征求您（单位）的意见。",
        f"请您（单位）自收到本征求意见书之日起{CONSULTATION_WORKDAYS}个工作日内提出书面意见，"
        "说明是否同意公开；不同意公开的，请说明理由。",
        "第三方逾期未提出意见的，由本机关依照《条例》的规定决定是否公开。第三方不同意公开且有合理理由的，"
        "本机关不予公开。本机关认为不公开可能对公共利益造成重大影响的，可以决定予以公开，"
        "并将决定公开的政府信息内容和理由书面告知第三方。",
        "特此函告。",
    ]


def _extension(
    application: Application, you: str, extension_days: int | None, extension_reason: str | None
) -> list[str]:
    recorded = application.extension_days
    days = extension_days if extension_days is not None else recorded
    if not 1 <= days <= MAX_EXTENSION_WORKDAYS:
        raise ValueError(f"延长答复期限应为1至{MAX_EXTENSION_WORKDAYS}个工作日，收到 {days}")
    if recorded and days != recorded:
        raise ValueError(f"本申请已延期{recorded}个工作日，只能延期一次")
    due = due_date(
        clock_start=application.clock_start, paused_workdays=application.paused_workdays, extension_days=days,
        cal=work_calendar(), paused_estimated=bool(application.estimated_pauses),
    )  # fmt: skip
    if due.estimated:
        # The new date would be an estimate (the holiday schedule of its year is not published yet): the
        # letter states the period in words, which is exact.
        start = "收到补正的申请之日" if application.clock_start != application.received_on else "收到申请之日"
        when = f"本机关将自{start}起{REPLY_WORKDAYS + days}个工作日内作出答复"
    else:
        when = f"本机关将于{cn_date(due.day)}前作出答复"
    reason = _clause(extension_reason) or P_EXTENSION_REASON
    return [
        _received(application, you),
        f"因{reason}，本机关无法在规定期限内作出答复。根据{cite(Ground.EXTENSION, intro=True)}的规定，"
        f"经本机关政府信息公开工作机构负责人同意，答复期限延长{days}个工作日，"
        f"{when}。",
        f"根据{cite(Ground.CONSULTATION_TIME)}的规定，征求第三方和其他机关意见所需时间不计算在答复期限内。",
        "特此告知。",
    ]


def _fee(application: Application, you: str, fee: FeeNotice) -> list[str]:
    unit = "件" if fee.scale == FeeScale.BY_COUNT else "页"
    payment = _clause(application.agency.payment_instructions) or P_PAYMENT
    return [
        _received(application, you),
        f"经审查，{you}申请公开政府信息的数量、频次明显超过合理范围。根据{cite(Ground.FEE, intro=True)}和"
        f"{FEE_MEASURES}的规定，本机关决定收取信息处理费。",
        f"收费标准：{_SCALE_TEXT[FeeScale(fee.scale)]}",
        f"计收数量：{fee.quantity}{unit}。",
        f"计算过程：{_sentence(fee.calculation)}",
        f"收费金额：人民币{yuan(fee.amount)}（大写：{rmb_upper(fee.amount)}）。",
        f"缴费方式：{payment}。",
        f"请{you}自收到本通知次日起{FEE_PAYMENT_WORKDAYS}个工作日内缴纳上述费用。"
        f"逾期未缴纳的，视为放弃申请，本机关不再处理该政府信息公开申请。",
        "特此通知。",
    ]


def _reply(application: Application, you: str, code: str, fee: FeeNotice | None) -> list[str]:
    outcome = OUTCOMES_BY_CODE[code]
    values = {"basis": outcome.basis, "fee_measures": FEE_MEASURES}
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
        remedy(application.agency),
        "特此告知。",
    ]


def _clause(text: str | None) -> str:
    """Free text set into a sentence: one line, without its closing punctuation."""
    return " ".join((text or "").split()).rstrip("。；;.，,")


def letter_placeholders(body: str) -> list[str]:
    """The placeholders still to fill in a letter's text."""
    return [p for p in PLACEHOLDERS if p in body]
