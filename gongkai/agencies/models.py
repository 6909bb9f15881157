"""Agencies (a tree: region › government › department) and staff memberships with roles."""

from django.conf import settings
from django.db import models

from gongkai.agencies.validators import validate_credit_code


class Agency(models.Model):
    name = models.CharField("机关名称", max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, related_name="children", on_delete=models.PROTECT
    )
    # materialized path "/1/4/9/": a subtree is one indexed prefix query on any database
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, blank=True, validators=[validate_credit_code]
    )
    # the prefix of the catalog's 索引号 (gongkai.catalog.index_numbers); blank: the organisation code inside
    # the credit code
    index_code = models.CharField("索引号机构代码", max_length=20, blank=True)
    is_supervisor = models.BooleanField("政务公开主管部门", default=False)
    office_name = models.CharField("政府信息公开工作机构", max_length=100, blank=True)
    address = models.CharField("办公地址", max_length=200, blank=True)
    postcode = models.CharField("邮政编码", max_length=6, blank=True)
    hours = models.CharField("办公时间", max_length=100, blank=True)
    phone = models.CharField("联系电话", max_length=40, blank=True)
    fax = models.CharField("传真", max_length=40, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    # used in the letters: the 文号 (GB/T 9704 机关代字, optionally one per letter kind), the remedy sentence
    # of a reply (复议机关, 人民法院) and how to pay a fee
    letter_code = models.CharField("机关代字", max_length=30, blank=True)
    letter_codes = models.JSONField("各类文书的机关代字", default=dict, blank=True)
    review_body = models.CharField("行政复议机关", max_length=100, blank=True)
    court = models.CharField("管辖人民法院", max_length=100, blank=True)
    payment_instructions = models.TextField("信息处理费缴费方式", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "机关"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CLERK = "clerk", "经办人"
    REVIEWER = "reviewer", "审核人"
    HEAD = "head", "负责人"
    ADMIN = "admin", "管理员"
    SUPERVISOR = "supervisor", "上级督查（只读）"


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="人员", related_name="memberships", on_delete=models.CASCADE
    )
    agency = models.ForeignKey(
        Agency, verbose_name="机关", related_name="memberships", on_delete=models.CASCADE
    )
    role = models.CharField("角色", max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = verbose_name_plural = "人员角色"
        constraints = [models.UniqueConstraint(fields=["user", "agency", "role"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.agency} · {self.get_role_display()}"


class LoginFailure(models.Model):
    """Failed logins (and attempts whose password is being checked), for gongkai.agencies.login_guard;
    kept in the database so that every worker sees them. Deleting the rows of a user name and address
    lifts their lock."""

    username = models.CharField("用户名", max_length=150)
    ip = models.GenericIPAddressField("网络地址", null=True, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "登录失败记录"
        indexes = [
            models.Index(fields=["username", "at"], name="loginfailure_username_at"),
            models.Index(fields=["ip", "at"], name="loginfailure_ip_at"),
        ]
