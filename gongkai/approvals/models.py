"""Approvals: one mechanism for everything that needs a superior's yes before it goes out (letters: 审核,
签发; the extension of the reply period: the 负责人's approval; later the catalog's review and the annual
report's sign-off).

A policy lists the steps of an object kind per agency (none = the clerk acts directly, still audited).
A request snapshots the steps when it is opened, so a policy changed later does not change running requests.
"""

from django.conf import settings
from django.db import models

from gongkai.agencies.models import Role


class Kind(models.TextChoices):
    LETTER = "letter", "文书出具"
    EXTENSION = "extension", "延期答复"
    CATALOG_ITEM = "catalog_item", "主动公开保密审查"


class StepName(models.TextChoices):
    REVIEW = "review", "审核"
    SIGN = "sign", "签发"
    APPROVE = "approve", "审批"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已同意"
    REFUSED = "refused", "未同意"
    WITHDRAWN = "withdrawn", "已撤回"


class ApprovalPolicy(models.Model):
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name="机关", related_name="approval_policies", on_delete=models.CASCADE
    )
    kind = models.CharField("审批事项", max_length=20, choices=Kind.choices)
    # [{"name": "review", "role": "reviewer"}, {"name": "sign", "role": "head"}]; [] = no approval
    steps = models.JSONField("审批环节", default=list, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "审批设置"
        constraints = [models.UniqueConstraint(fields=["agency", "kind"], name="approval_policy_unique")]


class ApprovalRequest(models.Model):
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name="机关", related_name="approval_requests", on_delete=models.PROTECT
    )
    kind = models.CharField("审批事项", max_length=20, choices=Kind.choices, db_index=True)
    subject_type = models.CharField("对象类型", max_length=40)
    subject_id = models.PositiveBigIntegerField("对象编号")
    title = models.CharField("事项", max_length=200)
    reason = models.TextField("理由", blank=True)
    payload = models.JSONField("内容", default=dict, blank=True)
    steps = models.JSONField("审批环节")
    step = models.PositiveSmallIntegerField("当前环节", default=0)
    status = models.CharField(
        "状态", max_length=12, choices=RequestStatus.choices, default=RequestStatus.PENDING, db_index=True
    )
    # the statutory limit the approval runs against, and whether an approval after it is refused
    limit_on = models.DateField("法定期限", null=True, blank=True)
    limit_text = models.CharField("期限依据", max_length=200, blank=True)
    limit_hard = models.BooleanField("超过期限不得批准", default=False)
    # the limit was counted on an unconfirmed year's weekdays: never refused on it, computed again later
    limit_estimated = models.BooleanField("法定期限为预计日期", default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提请人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("提请时间", auto_now_add=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "审批"
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "status"]),
            models.Index(fields=["subject_type", "subject_id"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def current(self) -> dict | None:
        return (
            self.steps[self.step]
            if self.status == RequestStatus.PENDING and self.step < len(self.steps)
            else None
        )

    @property
    def current_label(self) -> str:
        step = self.current
        return StepName(step["name"]).label if step else ""

    @property
    def current_role_label(self) -> str:
        step = self.current
        return Role(step["role"]).label if step else ""


class ApprovalDecision(models.Model):
    request = models.ForeignKey(ApprovalRequest, related_name="decisions", on_delete=models.CASCADE)
    step = models.PositiveSmallIntegerField("环节")
    name = models.CharField("环节名称", max_length=12, choices=StepName.choices)
    role = models.CharField("角色", max_length=16, choices=Role.choices)
    approved = models.BooleanField("同意")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", on_delete=models.PROTECT)
    at = models.DateTimeField("时间", auto_now_add=True)
    on = models.DateField("审批日期")
    comment = models.TextField("意见", blank=True)
    late = models.BooleanField("超过法定期限", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "审批意见"
        ordering = ["step", "id"]
