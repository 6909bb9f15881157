"""The agency's 政府信息公开指南 (Art. 12): generated from the agency's own data (its 政府信息公开工作机构,
address, hours, phone, fax, e-mail, its catalog's columns, how to apply, the fee rule, the remedies) until
its staff save a version of their own; every save is a new GuideVersion, so what the guide said when stays
on record.

`guide_current` is what the public page shows; `guide_save` is the one write (sanitised, audited, staff of
that agency only).
"""

from __future__ import annotations

import re
from html import escape

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse

from gongkai.agencies.models import Agency
from gongkai.agencies.selectors import public_agency_accepting_online
from gongkai.audit.actions import AuditAction
from gongkai.audit.services import audit_record
from gongkai.cases import clock
from gongkai.catalog import html
from gongkai.catalog.models import Column, GuideVersion
from gongkai.catalog.services.common import require_catalog_write
from gongkai.errors import Code, clean_text, invalid
from gongkai.law import FEE_MEASURES, Ground, cite

BODY_MAX = 200_000
NOTE_MAX = 200
_BLOCK_END = re.compile(r"(</(?:p|h2|h3|li|ul|ol)>|<(?:ul|ol)>)")
# columns that the guide describes in words of their own, not as catalog columns
_NOT_LISTED = {"apply"}


def _column_list(agency: Agency) -> str:
    """The catalog's structure as nested lists, from the agency's own columns."""
    columns = list(
        Column.objects.filter(agency=agency)
        .only("id", "parent_id", "name", "code")
        .order_by("position", "id")
    )
    children: dict[int | None, list[Column]] = {}
    for column in columns:
        children.setdefault(column.parent_id, []).append(column)

    def block(parent: int | None) -> str:
        rows = [c for c in children.get(parent, []) if c.code not in _NOT_LISTED]
        if not rows:
            return ""
        return "<ul>" + "".join(f"<li>{escape(c.name)}{block(c.pk)}</li>" for c in rows) + "</ul>"

    return block(None)


def _contacts(agency: Agency) -> str:
    rows = [
        ("受理机构", agency.office_name or agency.name),
        ("办公地址", agency.address),
        ("邮政编码", agency.postcode),
        ("办公时间", agency.hours),
        ("联系电话", agency.phone),
        ("传真", agency.fax),
        ("电子邮箱", agency.email),
    ]
    return "<ul>" + "".join(f"<li>{label}：{escape(value)}</li>" for label, value in rows if value) + "</ul>"


def guide_default_html(agency: Agency) -> str:
    """The guide generated from the agency's data (sanitised HTML)."""
    name = escape(agency.name)
    office = escape(agency.office_name or agency.name)
    address = escape(agency.address) if agency.address else "本机关办公地址"
    postcode = f"（邮政编码：{escape(agency.postcode)}）" if agency.postcode else ""
    hours = f"（{escape(agency.hours)}）" if agency.hours else ""
    section = reverse("portal:catalog_section", args=[agency.pk])
    if public_agency_accepting_online(pk=agency.pk) is not None:
        online = (
            f'<li>网上申请：通过本平台<a href="{reverse("portal:apply", args=[agency.pk])}">在线申请</a>页面'
            "填写并提交申请。提交后请保存回执上的查询码，凭查询码查询办理进度、在线补正和下载答复。</li>"
        )
    else:
        online = "<li>网上申请：本机关暂未开通网上申请，请通过信函或者当面提交申请。</li>"
    fax = (
        f"<li>传真申请：将申请书传真至{escape(agency.fax)}，并电话确认；以双方确认之日为收到申请之日。</li>"
        if agency.fax
        else ""
    )
    remedy = []
    if agency.review_body:
        remedy.append(f"行政复议机关：{escape(agency.review_body)}")
    if agency.court:
        remedy.append(f"管辖人民法院：{escape(agency.court)}")
    remedies = ("<ul>" + "".join(f"<li>{line}</li>" for line in remedy) + "</ul>") if remedy else ""
    body = f"""
<p>为了更好地提供政府信息公开服务，根据{cite(Ground.GUIDE, intro=True)}的规定，编制本指南。公民、法人或者其他组织
需要获取{name}的政府信息，请阅读本指南。本指南根据情况适时更新，以本平台发布的最新版本为准。</p>
<h2>一、主动公开</h2>
<h3>（一）公开范围</h3>
<p>对涉及公众利益调整、需要公众广泛知晓或者需要公众参与决策的政府信息，本机关依照{cite(Ground.PUBLIC_INTEREST, Ground.PROACTIVE_CONTENT)}的规定主动公开。</p>
<h3>（二）公开目录的分类与编排</h3>
<p>本机关政府信息公开目录按栏目分类编排，设以下栏目：</p>
{_column_list(agency)}
<p>每条信息标注索引号、名称、主题分类、发布机构、成文日期、发布日期、文号和有效性，可以按栏目、主题分类和年度查阅。
文件修改、废止或者失效的，在原文件页面标注。</p>
<h3>（三）公开方式和时限</h3>
<p>主动公开的政府信息通过本机关<a href="{section}">政府信息公开平台</a>公开，并可以通过政府公报、新闻发布会、
报刊广播电视以及政务新媒体等途径公开。属于主动公开范围的政府信息，自该政府信息形成或者变更之日起
{clock.REPLY_WORKDAYS}个工作日内予以公开；法律、法规对政府信息公开的期限另有规定的，从其规定（{cite(Ground.PUBLISH_PERIOD)}）。</p>
<h2>二、依申请公开</h2>
<h3>（一）受理机构</h3>
<p>本机关的政府信息公开工作机构为{office}，负责受理向本机关提出的政府信息公开申请。</p>
{_contacts(agency)}
<h3>（二）申请方式</h3>
<p>公民、法人或者其他组织可以向本机关申请获取相关政府信息（{cite(Ground.RIGHT_TO_APPLY)}）。申请应当包括：申请人的姓名或者名称、
身份证明、联系方式；申请公开的政府信息的名称、文号或者便于查询的其他特征性描述；申请公开的政府信息的形式要求，
包括获取信息的方式、途径（{cite(Ground.APPLICATION)}）。申请人可以通过以下方式提出申请：</p>
<ol>
{online}
<li>信函申请：将申请书邮寄至{address}{postcode}，请在信封左下角注明“政府信息公开申请”字样。以本机关签收之日为收到申请之日。</li>
<li>当面申请：在办公时间{hours}到{address}提交书面申请；采用书面形式确有困难的，可以口头提出，由受理机构代为填写申请。</li>
{fax}
</ol>
<h3>（三）办理期限</h3>
<p>能够当场答复的，当场予以答复；不能当场答复的，自收到申请之日起{clock.REPLY_WORKDAYS}个工作日内予以答复；需要延长答复期限的，
经政府信息公开工作机构负责人同意并告知申请人，延长的期限最长不超过{clock.MAX_EXTENSION_WORKDAYS}个工作日（{cite(Ground.EXTENSION)}）。
申请内容不明确的，自收到申请之日起{clock.CORRECTION_NOTICE_WORKDAYS}个工作日内一次性告知申请人作出补正（{cite(Ground.CORRECTION)}）。
征求第三方和其他机关意见所需时间不计算在答复期限内。</p>
<h3>（四）收费</h3>
<p>本机关依申请提供政府信息，不收取费用。但是，申请人申请公开政府信息的数量、频次明显超过合理范围的，可以依照{FEE_MEASURES}
收取信息处理费（{cite(Ground.FEE)}）。</p>
<h2>三、监督和救济</h2>
<p>公民、法人或者其他组织认为本机关在政府信息公开工作中侵犯其合法权益的，可以向上一级行政机关或者政府信息公开工作主管部门
投诉、举报，也可以依法申请行政复议或者提起行政诉讼（{cite(Ground.REMEDY)}）。</p>
{remedies}
"""
    # the source lines joined up again (their breaks are only for the reader of this code), then one block a
    # line, so that the staff who edit the guide's HTML can find their way in it
    joined = "".join(line.strip() for line in body.splitlines())
    return html.sanitise(_BLOCK_END.sub(r"\1\n", joined))


def guide_versions(*, agency: Agency):
    """The saved versions, newest first (the workbench's version list)."""
    return GuideVersion.objects.filter(agency=agency).select_related("created_by").order_by("-version")


def guide_current(agency: Agency) -> GuideVersion:
    """The guide the public sees: the latest saved version, or (unsaved, version 0, no date) the generated
    default."""
    latest = GuideVersion.objects.filter(agency=agency).order_by("-version").first()
    if latest is not None:
        return latest
    return GuideVersion(
        agency=agency, version=0, body=guide_default_html(agency), note="根据本机关登记信息生成"
    )


def guide_save(*, agency: Agency, by, body: str, note: str = "") -> GuideVersion:
    """A new version of the agency's guide (staff of that agency only): the body sanitised as every catalog
    body is, the note saying what changed."""
    require_catalog_write(by, agency)
    clean = html.sanitise(str(body or ""))
    if not html.plain_text(clean):
        raise invalid("body", Code.REQUIRED, "请填写指南正文")
    if len(clean) > BODY_MAX:
        raise invalid("body", Code.TOO_LONG, f"指南正文过长（不能超过{BODY_MAX}个字符）")
    note = clean_text("note", note, max_length=NOTE_MAX)
    try:
        with transaction.atomic():
            # one version number at a time per agency
            Agency.objects.select_for_update().filter(pk=agency.pk).exists()
            last = GuideVersion.objects.filter(agency=agency).aggregate(n=Max("version"))["n"] or 0
            before = GuideVersion.objects.filter(agency=agency, version=last).only("id", "body").first()
            version = GuideVersion.objects.create(
                agency=agency, version=last + 1, body=clean, note=note, created_by=by
            )
            audit_record(
                actor=by, action=AuditAction.CATALOG_GUIDE_SAVE, obj=version, agency=agency,
                before={"version": last, "length": len(before.body)} if before else None,
                after={"version": version.version, "note": note, "length": len(clean)},
            )  # fmt: skip
    except IntegrityError:  # pragma: no cover - the row lock above keeps versions apart
        raise invalid(None, Code.DUPLICATE, "指南刚被他人修改，请刷新后重试") from None
    return version
