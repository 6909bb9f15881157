"""Applications for disclosure (依申请公开), their events, consultations, fees and letters;
administrative review and litigation cases."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from gongkai.cases.applicant import normalised_id_number, normalised_phone
from gongkai.cases.clock import MAX_EXTENSION_WORKDAYS
from gongkai.cases.enums import (
    ApplicantKind,
    CaseKind,
    CaseResult,
    Channel,
    ConsultationKind,
    Delivery,
    EventKind,
    FeeScale,
    IdType,
    LetterKind,
    LetterStatus,
    Outcome,
    RequestedForm,
    Status,
)
from gongkai.cases.fees import MAX_PAGES
from gongkai.errors import Code
from gongkai.holiday_notice import FIRST_YEAR, LAST_YEAR
from gongkai.privacy.fields import EncryptedBinaryField, EncryptedTextField, LookupHashField


def validate_calendar_day(day: datetime.date) -> None:
    """A day of the working-day calendar: within the years a holiday schedule can be entered for."""
    if isinstance(day, datetime.date) and not FIRST_YEAR - 1 <= day.year <= LAST_YEAR:
        raise ValidationError(f"日期应在{FIRST_YEAR - 1}年至{LAST_YEAR}年之间", code=Code.OUT_OF_RANGE.value)


class Application(models.Model):
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name="受理机关", related_name="applications", on_delete=models.PROTECT
    )
    number = models.CharField("申请编号", max_length=40)
    query_code = models.CharField("查询码", max_length=16, unique=True)

    applicant_kind = models.CharField("申请人类型", max_length=20, choices=ApplicantKind.choices)
    applicant_name = models.CharField("申请人姓名/名称", max_length=100)
    id_type = models.CharField("身份证明类型", max_length=20, choices=IdType.choices)
    # encrypted at rest (gongkai.privacy); found by exact value through the keyed hashes below
    id_number = EncryptedTextField("身份证明号码")
    id_number_hash = LookupHashField(source="id_number", kind="id_number", normalise=normalised_id_number)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    phone = EncryptedTextField("联系电话")
    phone_hash = LookupHashField(source="phone", kind="phone", normalise=normalised_phone)
    email = models.EmailField("电子邮箱", blank=True)
    address = models.CharField("通信地址", max_length=200, blank=True)
    postcode = models.CharField("邮政编码", max_length=6, blank=True)

    description = models.TextField("所需政府信息的名称、文号或者便于查询的其他特征性描述")
    requested_form = models.CharField("信息的指定提供形式", max_length=20, choices=RequestedForm.choices)
    delivery = models.CharField("获取信息的方式", max_length=20, choices=Delivery.choices)
    channel = models.CharField("申请方式", max_length=20, choices=Channel.choices)
    received_on = models.DateField("收到申请日期", db_index=True)

    status = models.CharField(
        "状态", max_length=24, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    # the day the 20 working days run from: receipt, or receipt of the corrected application (Art. 30)
    clock_start = models.DateField("计时起算日")
    paused_workdays = models.PositiveIntegerField("已暂停的工作日", default=0)
    paused_since = models.DateField("暂停计时自", null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(
        "延长工作日", default=0, validators=[MaxValueValidator(MAX_EXTENSION_WORKDAYS)]
    )
    due_on = models.DateField("答复期限", null=True, blank=True, db_index=True)
    # due_on counted Monday to Friday in a year whose holiday schedule is not confirmed yet: shown as
    # "预计 …（待节假日安排确认）" and computed again once it is (gongkai.cases.services.estimates)
    due_on_estimated = models.BooleanField("答复期限为预计日期", default=False)
    # the pauses among paused_workdays counted on such an estimate: [{"since", "until", "workdays"}]
    estimated_pauses = models.JSONField("按预计计算的暂停计时", default=list, blank=True)
    # set by the clerk in the 补正 notice: a calendar date, never an estimate
    correction_due_on = models.DateField("补正期限", null=True, blank=True)

    outcome = models.CharField("答复结果", max_length=40, choices=Outcome.choices, blank=True, db_index=True)
    concluded_on = models.DateField("办结日期", null=True, blank=True, db_index=True)

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = verbose_name_plural = "政府信息公开申请"
        ordering = ["-received_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["agency", "number"], name="application_number_unique")]
        indexes = [
            models.Index(fields=["agency", "received_on"]),
            models.Index(fields=["agency", "concluded_on"]),
            models.Index(fields=["agency", "status", "due_on"]),
        ]

    def __str__(self) -> str:
        return self.number


class Attachment(models.Model):
    """A file the applicant uploaded (with the online application or an online correction). The file lies
    encrypted at MEDIA_ROOT/attachments/<key[:2]>/<key>, named by a random key, never by the row's id: the
    file is written before the row, in the row's transaction, so a row never points at a missing file; a
    file whose transaction failed has no row and is removed by the daily sweep."""

    class Source(models.TextChoices):
        APPLICATION = "application", "申请附件"
        CORRECTION = "correction", "补正材料"

    application = models.ForeignKey(
        Application, verbose_name="申请", related_name="attachments", on_delete=models.PROTECT
    )
    key = models.CharField("存储键", max_length=32, unique=True, editable=False)
    extension = models.CharField("类型", max_length=5)
    size = models.PositiveIntegerField("大小（字节）")
    source = models.CharField("来源", max_length=12, choices=Source.choices)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "申请附件"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.key}.{self.extension}"


class ApplicationEvent(models.Model):
    application = models.ForeignKey(Application, related_name="events", on_delete=models.CASCADE)
    kind = models.CharField("事项", max_length=32, choices=EventKind.choices)
    on = models.DateField("日期")
    at = models.DateTimeField("记录时间", auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", null=True, blank=True, on_delete=models.PROTECT
    )
    basis = models.CharField("法律依据", max_length=200, blank=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["on", "id"]


class Consultation(models.Model):
    application = models.ForeignKey(Application, related_name="consultations", on_delete=models.CASCADE)
    kind = models.CharField("类型", max_length=20, choices=ConsultationKind.choices)
    party = models.CharField("被征求意见方", max_length=100)
    sent_on = models.DateField("发出日期")
    reply_due_on = models.DateField("答复期限")
    reply_due_on_estimated = models.BooleanField("答复期限为预计日期", default=False)
    answered_on = models.DateField("答复日期", null=True, blank=True)
    answer = models.TextField("意见", blank=True)


class FeeNotice(models.Model):
    application = models.ForeignKey(Application, related_name="fee_notices", on_delete=models.CASCADE)
    scale = models.CharField("计收方式", max_length=20, choices=FeeScale.choices)
    quantity = models.PositiveIntegerField(
        "件数或页数", validators=[MinValueValidator(1), MaxValueValidator(MAX_PAGES)]
    )
    amount = models.DecimalField(
        "金额（元）", max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    calculation = models.TextField("计算过程")
    issued_on = models.DateField("通知日期")
    pay_due_on = models.DateField("缴费期限")
    pay_due_on_estimated = models.BooleanField("缴费期限为预计日期", default=False)
    paid_on = models.DateField("缴费日期", null=True, blank=True)
    # the end of the reply period when the notice went out: the notice must go out within it (109号)
    reply_due_on = models.DateField("发出时的答复期限", null=True, blank=True)
    reply_due_on_estimated = models.BooleanField("发出时的答复期限为预计日期", default=False)
    # that reply period (gongkai.cases.clock.reply_period), to compute reply_due_on again when estimated
    reply_period = models.JSONField("发出时的答复期间", default=dict, blank=True)


class Letter(models.Model):
    application = models.ForeignKey(Application, related_name="letters", on_delete=models.CASCADE)
    kind = models.CharField("文书", max_length=20, choices=LetterKind.choices)
    status = models.CharField(
        "状态", max_length=12, choices=LetterStatus.choices, default=LetterStatus.DRAFT, db_index=True
    )
    title = models.CharField("标题", max_length=100)
    body = models.TextField("正文")
    # 文号 (GB/T 9704: 机关代字〔年份〕序号号), allocated when the letter is issued
    number = models.CharField("文号", max_length=60, blank=True)
    # a 答复告知书 concludes the application with this outcome when it is issued
    outcome = models.CharField("答复结果", max_length=40, choices=Outcome.choices, blank=True)
    note = models.TextField("办理说明", blank=True)
    issued_on = models.DateField("出具日期", null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="出具人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    docx = EncryptedBinaryField("文书文件", null=True, blank=True)  # encrypted at rest
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="拟稿人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = verbose_name_plural = "文书"
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~models.Q(number=""), name="letter_number_unique"
            )
        ]


class LetterSequence(models.Model):
    """The last 序号 of an agency's 文号 in a year, per 机关代字 (a kind with its own code counts apart).
    Locked and advanced in the transaction that issues the letter: a rolled-back issue uses no number, so
    the numbers have no gaps."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    scope = models.CharField(max_length=30, blank=True)  # the 机关代字 the sequence numbers
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "scope"], name="letter_sequence_unique")
        ]


class ReviewCase(models.Model):
    """行政复议 or 行政诉讼 about the agency's disclosure work (table 4)."""

    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name="被申请/被诉机关",
        related_name="review_cases",
        on_delete=models.PROTECT,
    )
    kind = models.CharField("类型", max_length=30, choices=CaseKind.choices)
    application = models.ForeignKey(
        Application,
        verbose_name="相关申请",
        null=True,
        blank=True,
        related_name="review_cases",
        on_delete=models.SET_NULL,
    )
    case_number = models.CharField("案号", max_length=60)
    body = models.CharField("复议机关/审理法院", max_length=100, blank=True)
    filed_on = models.DateField("收到申请/起诉日期", db_index=True)
    result = models.CharField("结果", max_length=20, choices=CaseResult.choices, default=CaseResult.PENDING)
    concluded_on = models.DateField("审结日期", null=True, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "行政复议、行政诉讼"
        ordering = ["-filed_on", "-id"]


class CalendarOverride(models.Model):
    """A day the administrator sets when the State Council announces a year's holidays (调休 included)."""

    day = models.DateField("日期", unique=True, validators=[validate_calendar_day])
    is_workday = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "节假日调整（放假日、调休上班日）"

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {'调休上班' if self.is_workday else '放假'}"


class ConfirmedYear(models.Model):
    """A year whose holiday schedule the administrator has entered: its days not overridden follow the week."""

    year = models.PositiveSmallIntegerField(
        "年份", unique=True, validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    note = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "已确认节假日安排的年份"

    def __str__(self) -> str:
        return f"{self.year}年"
