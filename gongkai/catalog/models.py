"""The catalog (公开目录) of an agency: a column tree, items with their metadata and review sheet,
attachments, new-media accounts with their posts, and the Art. 20 figures entered per year.

Writes go through gongkai.catalog.services (every change is audited); reads through its selectors.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from gongkai.catalog.enums import Channel, Disclosure, ItemStatus, Platform, StatutoryKind, Validity


class Column(models.Model):
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name="机关", related_name="catalog_columns", on_delete=models.CASCADE
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级栏目",
        null=True,
        blank=True,
        related_name="children",
        on_delete=models.PROTECT,
    )
    # the standard column it is (gongkai.catalog.standard), blank for a local one
    code = models.CharField("标准栏目代码", max_length=40, blank=True)
    name = models.CharField("栏目名称", max_length=60)
    position = models.PositiveSmallIntegerField("排序", default=0)
    cycle_days = models.PositiveSmallIntegerField("更新周期（天）", null=True, blank=True)
    note = models.CharField("备注（栏目暂无信息的说明）", max_length=300, blank=True)
    # Art. 26 unless a law sets another period for this column
    limit_days = models.PositiveSmallIntegerField("公开时限", default=20)
    limit_working_days = models.BooleanField("按工作日计算", default=True)
    limit_basis = models.CharField("时限依据", max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "目录栏目"
        ordering = ["agency", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "parent", "name"], name="column_name_unique"),
            models.UniqueConstraint(
                fields=["agency", "code"], condition=~models.Q(code=""), name="column_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class IndexSequence(models.Model):
    """The last serial of an agency's 索引号 in a year (allocated under a row lock)."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="index_sequence_unique")]


class Item(models.Model):
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name="机关", related_name="catalog_items", on_delete=models.PROTECT
    )
    column = models.ForeignKey(Column, verbose_name="栏目", related_name="items", on_delete=models.PROTECT)
    index_number = models.CharField("索引号", max_length=60, unique=True)
    title = models.CharField("标题", max_length=300)
    doc_number = models.CharField("文号", max_length=60, blank=True)
    publisher = models.CharField("发布机构", max_length=100)
    written_on = models.DateField("成文日期", null=True, blank=True)
    formed_on = models.DateField("形成/变更日期")
    published_on = models.DateField("发布日期", null=True, blank=True, db_index=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    topic = models.CharField("主题分类", max_length=40, blank=True)
    genre = models.CharField("体裁", max_length=40, blank=True)
    summary = models.TextField("内容概述", blank=True)
    body = models.TextField("正文", blank=True)  # sanitised HTML
    body_text = models.TextField("正文文字", blank=True, editable=False)  # for the scan and search
    disclosure = models.CharField("公开属性", max_length=12, choices=Disclosure.choices, default="proactive")
    withheld_reason = models.TextField("不予公开的理由和依据", blank=True)
    validity = models.CharField("有效性", max_length=10, choices=Validity.choices, default="valid")
    validity_changed_on = models.DateField("失效/废止日期", null=True, blank=True)
    validity_note = models.CharField("失效/废止说明", max_length=300, blank=True)
    statutory_kind = models.CharField(
        "文件类别", max_length=12, choices=StatutoryKind.choices, default=StatutoryKind.OTHER
    )
    channels = models.JSONField("发布渠道", default=list, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=ItemStatus.choices, default=ItemStatus.DRAFT, db_index=True
    )
    # Art. 26: the last day to publish (from the column's period), and whether the publication was late
    publish_limit_on = models.DateField("公开期限", null=True, blank=True)
    publish_limit_estimated = models.BooleanField("公开期限为预计日期", default=False)
    late = models.BooleanField("逾期公开", default=False)
    withdraw_at = models.DateTimeField("定时撤回时间", null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawn_reason = models.CharField("撤回原因", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="起草人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "目录信息"
        ordering = ["-published_on", "-id"]
        indexes = [
            # an agency's pages walk it newest first and count a column subtree from it alone (column last)
            models.Index(
                fields=["agency", "status", "-published_on", "-id", "column"], name="item_agency_listing"
            ),
            models.Index(fields=["column", "status", "-published_on", "-id"], name="item_column_listing"),
            models.Index(fields=["status", "-published_on", "-id"], name="item_status_pub"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def channel_labels(self) -> list[str]:
        return [Channel(c).label for c in self.channels if c in Channel.values]

    @property
    def is_public(self) -> bool:
        return self.status in (ItemStatus.PUBLISHED, ItemStatus.WITHDRAWN)


class ReviewSheet(models.Model):
    """保密审查单: written down when the item is submitted, approved with it (先审查、后公开)."""

    item = models.ForeignKey(
        Item, verbose_name="信息", related_name="review_sheets", on_delete=models.CASCADE
    )
    approval = models.OneToOneField(
        "approvals.ApprovalRequest",
        verbose_name="审批",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField("信息名称", max_length=300)
    summary = models.TextField("内容摘要")
    method = models.CharField("拟公开方式", max_length=200)
    scope = models.CharField("公开范围", max_length=100)
    publish_at = models.DateTimeField("公开时间", null=True, blank=True)  # None: as soon as approved
    disclosure = models.CharField("公开属性", max_length=12, choices=Disclosure.choices)
    withheld_reason = models.TextField("不予公开的理由和依据", blank=True)
    opinion = models.TextField("审查意见", blank=True)
    # the pre-submission scan's warnings the clerk saw and submitted anyway
    warnings = models.JSONField("提交时的提示", default=list, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提交人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    approved = models.BooleanField("审查通过", null=True)
    # an item imported from a catalog kept elsewhere (gongkai.catalog.imports): the file it came from. The
    # importer, a reviewer, head or administrator, approved the whole file; there is no approval request.
    imported_from = models.CharField("导入自文件", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "保密审查单"
        ordering = ["-submitted_at", "-id"]


class ItemAttachment(models.Model):
    """A published document's file: stored under MEDIA_ROOT/catalog/<key[:2]>/<key>, metadata stripped."""

    item = models.ForeignKey(Item, verbose_name="信息", related_name="attachments", on_delete=models.CASCADE)
    key = models.CharField(max_length=32, unique=True)
    name = models.CharField("文件名", max_length=200)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField("大小")
    text = models.TextField("文字", blank=True, editable=False)  # for the scan
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "附件"
        ordering = ["id"]


class Account(models.Model):
    """A new-media account of the agency (政务微博, 微信公众号, …)."""

    agency = models.ForeignKey(
        "agencies.Agency", verbose_name="机关", related_name="media_accounts", on_delete=models.PROTECT
    )
    platform = models.CharField("平台", max_length=12, choices=Platform.choices)
    name = models.CharField("账号名称", max_length=100)
    url = models.URLField("主页地址", blank=True)
    active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "政务新媒体账号"
        ordering = ["agency", "platform", "id"]
        constraints = [models.UniqueConstraint(fields=["agency", "platform", "name"], name="account_unique")]

    def __str__(self) -> str:
        return f"{self.get_platform_display()}“{self.name}”"


class Post(models.Model):
    account = models.ForeignKey(Account, verbose_name="账号", related_name="posts", on_delete=models.PROTECT)
    posted_on = models.DateField("发布日期")
    title = models.CharField("标题", max_length=300)
    url = models.URLField("链接", max_length=500, blank=True)
    original = models.BooleanField("原创")
    item = models.ForeignKey(
        Item,
        verbose_name="对应目录信息",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
    )
    # the same post imported twice is one post: the link, or the date and title when there is no link
    fingerprint = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "政务新媒体发布"
        ordering = ["-posted_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["account", "fingerprint"], name="post_unique")]
        indexes = [models.Index(fields=["account", "posted_on"], name="post_account_day")]


class Art20Figure(models.Model):
    """A table 2 figure that no catalog item gives (licences, penalties, fees, procurement), entered per
    agency and year in the codes of that year's layout (gongkai.report.formats), with its source."""

    agency = models.ForeignKey(
        "agencies.Agency", verbose_name="机关", related_name="art20_figures", on_delete=models.PROTECT
    )
    year = models.PositiveSmallIntegerField("年度")
    row = models.CharField("项目", max_length=40)
    column = models.CharField("指标", max_length=40)
    value = models.DecimalField("数值", max_digits=16, decimal_places=4)
    source = models.CharField("数据来源", max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "主动公开事项统计数据"
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "row", "column"], name="art20_figure_unique")
        ]


class GuideVersion(models.Model):
    """A version of the agency's 政府信息公开指南 (Art. 12). The first is generated from the agency's data;
    every edit is a new version, so what was published when stays on record."""

    agency = models.ForeignKey(
        "agencies.Agency", verbose_name="机关", related_name="guide_versions", on_delete=models.PROTECT
    )
    version = models.PositiveIntegerField("版本")
    body = models.TextField("正文")  # sanitised HTML
    note = models.CharField("修订说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="修订人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("修订时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "政府信息公开指南"
        ordering = ["agency", "-version"]
        constraints = [models.UniqueConstraint(fields=["agency", "version"], name="guide_version_unique")]
