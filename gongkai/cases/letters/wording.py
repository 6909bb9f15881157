"""The fixed wording of the letters: titles, the remedy sentence, the 【…】 placeholders the clerk fills
before issuing, and which provisions each letter cites (LETTER_GROUNDS; the citations are gongkai.law's)."""

from __future__ import annotations

from gongkai.cases.enums import ConsultationKind, FeeScale, LetterKind
from gongkai.law import Ground

SEAL = "（盖章）"

# --- placeholders the clerk fills before issuing ---
P_REVIEW_BODY = "【复议机关】"
P_COURT = "【人民法院名称】"
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

# 行政复议法 第二十条 (60 days), 行政诉讼法 第四十六条 (6 months); the agency's settings name the bodies.
REMEDY_TEMPLATE = "如对本答复不服，可以在收到本告知书之日起60日内向{review_body}申请行政复议，或者在6个月内向{court}提起行政诉讼。"
REMEDY = REMEDY_TEMPLATE.format(review_body=P_REVIEW_BODY, court=P_COURT)


def remedy(agency) -> str:
    """The remedy sentence with the agency's 行政复议机关 and court, placeholders where they are not set."""
    return REMEDY_TEMPLATE.format(
        review_body=(agency.review_body or "").strip() or P_REVIEW_BODY,
        court=(agency.court or "").strip() or P_COURT,
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

# The provisions each letter cites in its text; its issue event records them as its basis. A reply cites
# its outcome's (formats.OUTCOMES), a consultation the article of its kind.
LETTER_GROUNDS: dict[str, tuple[Ground, ...]] = {
    LetterKind.RECEIPT: (
        Ground.RECEIPT_DATE,
        Ground.REPLY_PERIOD,
        Ground.CONSULTATION_TIME,
        Ground.CORRECTION,
    ),
    LetterKind.CORRECTION: (Ground.CORRECTION,),
    LetterKind.EXTENSION: (Ground.EXTENSION, Ground.CONSULTATION_TIME),
    LetterKind.FEE: (Ground.FEE, Ground.FEE_MEASURES),
}
CONSULTATION_LETTER_GROUNDS: dict[str, tuple[Ground, ...]] = {
    ConsultationKind.THIRD_PARTY: (Ground.THIRD_PARTY,),
    ConsultationKind.CO_AGENCY: (Ground.CO_AGENCY,),
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
        "根据{fee_measures}的规定，视为放弃申请，"
        "本机关不再处理该政府信息公开申请。"
    ),
    "other.withdrawn": f"您已于{P_DATE}撤回该政府信息公开申请，本机关不再处理该申请。",
    "other.other": P_OTHER,
}
