"""The column tree of an agency's catalog: the standard columns (gongkai.catalog.standard) and local ones."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from gongkai.agencies.models import Agency
from gongkai.audit.actions import AuditAction
from gongkai.audit.services import audit_record
from gongkai.catalog.models import Column
from gongkai.catalog.services.common import require_catalog_write
from gongkai.catalog.standard import ART26, walk
from gongkai.errors import Code, clean_text, invalid

NAME_MAX = 60
NOTE_MAX = 300


def _snapshot(column: Column) -> dict:
    return {
        "name": column.name,
        "parent": column.parent_id,
        "cycle_days": column.cycle_days,
        "note": column.note,
        "position": column.position,
        "limit": [column.limit_days, column.limit_working_days, column.limit_basis],
    }


def catalog_bootstrap(*, agency: Agency, by=None) -> list[Column]:
    """Create the standard columns the agency lacks (safe to run again); returns those created."""
    created: list[Column] = []
    with transaction.atomic():
        existing = {c.code: c for c in Column.objects.filter(agency=agency).exclude(code="")}
        for position, (parent_code, std) in enumerate(walk()):
            if std.code in existing:
                continue
            limit = std.limit or ART26
            column = Column.objects.create(
                agency=agency,
                parent=existing.get(parent_code) if parent_code else None,
                code=std.code,
                name=std.name,
                position=position * 10,
                cycle_days=std.cycle_days,
                limit_days=limit.days,
                limit_working_days=limit.working_days,
                limit_basis=limit.basis,
            )
            existing[std.code] = column
            created.append(column)
        if created:
            audit_record(
                actor=by,
                action=AuditAction.CATALOG_BOOTSTRAP,
                obj=agency,
                agency=agency,
                after={"columns": [c.name for c in created]},
            )
    return created


def _clean(name: str, note: str, cycle_days) -> tuple[str, str, int | None]:
    name = clean_text("name", name, max_length=NAME_MAX)
    if not name:
        raise invalid("name", Code.REQUIRED, "请填写栏目名称")
    note = clean_text("note", note, max_length=NOTE_MAX)
    if cycle_days in (None, ""):
        return name, note, None
    try:
        days = int(cycle_days)
    except (TypeError, ValueError):
        raise invalid("cycle_days", Code.INVALID, "更新周期应为天数（整数）") from None
    if not 1 <= days <= 3650:
        raise invalid("cycle_days", Code.OUT_OF_RANGE, "更新周期应在1至3650天之间")
    return name, note, days


def column_create(
    *, agency: Agency, parent: Column | None, name: str, by, cycle_days=None, note: str = "", position=None
) -> Column:
    """A local column (the seed's 权责清单, 部门动态, 意见征集 …) under `parent` (None: first level)."""
    require_catalog_write(by, agency)
    name, note, cycle = _clean(name, note, cycle_days)
    if parent is not None and parent.agency_id != agency.pk:
        raise invalid("parent", Code.INVALID_CHOICE, "上级栏目不属于本机关")
    try:
        with transaction.atomic():
            Agency.objects.select_for_update().filter(pk=agency.pk).exists()
            # the unique constraint does not see two first-level columns (parent NULL) as the same
            if Column.objects.filter(agency=agency, parent=parent, name=name).exists():
                raise IntegrityError
            if position is None:
                last = Column.objects.filter(agency=agency, parent=parent).order_by("-position").first()
                position = (last.position + 10) if last else 0
            limit = ART26
            if parent is not None:
                limit_days, limit_working, basis = (
                    parent.limit_days,
                    parent.limit_working_days,
                    parent.limit_basis,
                )
            else:
                limit_days, limit_working, basis = limit.days, limit.working_days, limit.basis
            column = Column.objects.create(
                agency=agency, parent=parent, name=name, note=note, cycle_days=cycle, position=position,
                limit_days=limit_days, limit_working_days=limit_working, limit_basis=basis,
            )  # fmt: skip
            audit_record(
                actor=by, action=AuditAction.CATALOG_COLUMN_SAVE, obj=column, agency=agency,
                after=_snapshot(column),
            )  # fmt: skip
    except IntegrityError:
        raise invalid("name", Code.DUPLICATE, f"同一上级栏目下已有“{name}”栏目") from None
    return column


def column_update(
    *,
    column: Column,
    by,
    name: str,
    cycle_days=None,
    note: str = "",
    limit_days: int | None = None,
    limit_working_days: bool | None = None,
    limit_basis: str | None = None,
) -> Column:
    """Rename a column, set its update cycle, its 备注 and (when a law sets another period) its Art. 26
    limit. A standard column keeps its name."""
    require_catalog_write(by, column.agency)
    name, note, cycle = _clean(name, note, cycle_days)
    if column.code and name != column.name:
        raise invalid("name", Code.NOT_APPLICABLE, "标准栏目不能改名")
    before = _snapshot(column)
    column.name, column.note, column.cycle_days = name, note, cycle
    if limit_days is not None:
        if not 1 <= int(limit_days) <= 365:
            raise invalid("limit_days", Code.OUT_OF_RANGE, "公开时限应在1至365天之间")
        column.limit_days = int(limit_days)
    if limit_working_days is not None:
        column.limit_working_days = bool(limit_working_days)
    if limit_basis is not None:
        column.limit_basis = clean_text("limit_basis", limit_basis, max_length=100)
    try:
        with transaction.atomic():
            twin = Column.objects.filter(agency=column.agency, parent=column.parent_id, name=name)
            if twin.exclude(pk=column.pk).exists():
                raise IntegrityError
            column.save()
            audit_record(
                actor=by, action=AuditAction.CATALOG_COLUMN_SAVE, obj=column, agency=column.agency,
                before=before, after=_snapshot(column),
            )  # fmt: skip
    except IntegrityError:
        raise invalid("name", Code.DUPLICATE, f"同一上级栏目下已有“{name}”栏目") from None
    return column
