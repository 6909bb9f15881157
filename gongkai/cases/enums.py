"""Statuses, outcomes and other choices of the case system: one module (DESIGN.md).

The outcome of an application is kept apart from its status; the outcomes and the table 3 row each
is counted in are defined once, in gongkai.report.formats.OUTCOMES.
"""

from django.db import models

from gongkai.law import CITATIONS, Ground
from gongkai.report.formats import OUTCOMES, TABLE3_APPLICANT_COLUMNS

Outcome = models.TextChoices(
    "Outcome", [(o.code.replace(".", "_").upper(), (o.code, o.label)) for o in OUTCOMES]
)
ApplicantKind = models.TextChoices(
    "ApplicantKind", [(c.code.upper(), (c.code, c.label)) for c in TABLE3_APPLICANT_COLUMNS]
)


class Status(models.TextChoices):
    RECEIVED = "received", "办理中"
    AWAITING_CORRECTION = "awaiting_correction", "待补正"
    CONSULTING = "consulting", "征求意见中"
    AWAITING_FEE = "awaiting_fee", "待缴费"
    CONCLUDED = "concluded", "已办结"


class Channel(models.TextChoices):
    ONLINE = "online", "网上申请"
    LETTER = "letter", "信函（挂号信）"
    ORDINARY_POST = "ordinary_post", "信函（平信）"
    IN_PERSON = "in_person", "当面提交"
    FAX = "fax", "传真"
    EMAIL = "email", "电子邮件"


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", "居民身份证"
    PASSPORT = "passport", "护照"
    OTHER = "other", "其他身份证件"
    CREDIT_CODE = "credit_code", "统一社会信用代码"


class RequestedForm(models.TextChoices):
    PAPER = "paper", "纸质文本"
    ELECTRONIC = "electronic", "电子文档"
    OTHER = "other", "其他"


class Delivery(models.TextChoices):
    PICKUP = "pickup", "当面领取"
    POST = "post", "邮寄"
    EMAIL = "email", "电子邮件"
    ONLINE = "online", "网上获取"


class EventKind(models.TextChoices):
    RECEIVED = "received", "登记受理"
    CORRECTION_REQUESTED = "correction_requested", "发出补正告知"
    CORRECTION_RECEIVED = "correction_received", "收到补正材料"
    CONSULTATION_STARTED = "consultation_started", "征求第三方意见"
    CONSULTATION_ENDED = "consultation_ended", "第三方意见答复"
    FEE_NOTICE = "fee_notice", "发出收费通知"
    FEE_PAID = "fee_paid", "缴纳信息处理费"
    EXTENSION_REQUESTED = "extension_requested", "申请延期答复"
    EXTENSION_REFUSED = "extension_refused", "延期答复未获同意"
    EXTENDED = "extended", "延期答复"
    REPLIED = "replied", "作出答复"
    LETTER_ISSUED = "letter_issued", "出具文书"
    DEADLINES_RECOMPUTED = "deadlines_recomputed", "节假日安排确认后重新计算期限"


class ConsultationKind(models.TextChoices):
    THIRD_PARTY = "third_party", f"第三方（{CITATIONS[Ground.THIRD_PARTY]}）"
    CO_AGENCY = "co_agency", f"共同制作机关（{CITATIONS[Ground.CO_AGENCY]}）"


class FeeScale(models.TextChoices):
    BY_COUNT = "by_count", "按件计收"
    BY_VOLUME = "by_volume", "按量计收"


class CaseKind(models.TextChoices):
    REVIEW = "review", "行政复议"
    LITIGATION_DIRECT = "litigation_direct", "行政诉讼（未经复议直接起诉）"
    LITIGATION_AFTER_REVIEW = "litigation_after_review", "行政诉讼（复议后起诉）"


class CaseResult(models.TextChoices):
    UPHELD = "upheld", "结果维持"
    CORRECTED = "corrected", "结果纠正"
    OTHER = "other", "其他结果"
    PENDING = "pending", "尚未审结"


class LetterStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PENDING = "pending", "审批中"
    APPROVED = "approved", "已签发待出具"
    ISSUED = "issued", "已出具"
    DISCARDED = "discarded", "已作废"


class LetterKind(models.TextChoices):
    RECEIPT = "receipt", "接收回执"
    CORRECTION = "correction", "补正告知书"
    CONSULTATION = "consultation", "征求第三方意见书"
    EXTENSION = "extension", "延期答复告知书"
    FEE = "fee", "收费通知书"
    REPLY = "reply", "答复告知书"
