"""The Art. 20 figures of table 2 that no catalog item gives (licences, other services, penalties,
coercion, fees, procurement), entered per agency and year in the fields and units of that year's layout."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.db import transaction

from gongkai.agencies.models import Agency
from gongkai.audit.actions import AuditAction
from gongkai.audit.services import audit_record
from gongkai.catalog.models import Art20Figure
from gongkai.catalog.services.common import require_catalog_write
from gongkai.errors import Code, clean_text, invalid
from gongkai.report.formats import Column as FormatColumn
from gongkai.report.formats import format_for_year

# Block item1 (规章, 规范性文件) comes from the catalog's items, never typed.
ITEM_BLOCKS = ("item1",)
SOURCE_MAX = 200


def entered_cells(year: int) -> list[tuple[str, str, str, FormatColumn]]:
    """(row code, row label, column code, column) of every table 2 cell entered by hand in `year`'s layout."""
    fmt = format_for_year(year)
    return [
        (row.code, row.label, column.code, column)
        for block in fmt.table2
        if block.code not in ITEM_BLOCKS
        for row in block.rows
        for column in block.columns
    ]


def _value(field: str, raw, column: FormatColumn, label: str) -> Decimal | None:
    text = str(raw if raw is not None else "").strip().replace(",", "").replace("，", "")
    if text == "":
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise invalid(field, Code.INVALID, f"{label}应为数字") from None
    if not value.is_finite() or abs(value) >= Decimal("1e11"):
        raise invalid(field, Code.OUT_OF_RANGE, f"{label}数值有误")
    if column.kind == "money":
        if value < 0:
            raise invalid(field, Code.OUT_OF_RANGE, f"{label}不能为负数")
        if value != value.quantize(Decimal("0.0001")):
            raise invalid(field, Code.INVALID, f"{label}最多保留四位小数")
        return value
    if value != value.to_integral_value():
        raise invalid(field, Code.INVALID, f"{label}应为整数")
    if value < 0 and column.kind != "signed":
        raise invalid(field, Code.OUT_OF_RANGE, f"{label}不能为负数")
    return value


def art20_figures_save(
    *, agency: Agency, year: int, by, values: Mapping[str, object], source: str = ""
) -> int:
    """Save the entered figures of `year` (`values` keyed "row.column"; an empty value removes the
    figure). All or nothing; returns how many figures changed."""
    require_catalog_write(by, agency)
    source = clean_text("source", source, max_length=SOURCE_MAX)
    cells = {f"{r}.{c}": (r, rl, c, col) for r, rl, c, col in entered_cells(year)}
    if unknown := [k for k in values if k not in cells]:
        raise invalid(None, Code.INVALID_CHOICE, f"{year}年度报告格式中没有这些项目：{'、'.join(unknown)}")
    parsed = {
        key: _value(key, raw, cells[key][3], f"{cells[key][1]}“{cells[key][3].label}”")
        for key, raw in values.items()
    }
    changed = 0
    with transaction.atomic():
        existing = {
            f"{f.row}.{f.column}": f
            for f in Art20Figure.objects.select_for_update().filter(agency=agency, year=year)
        }
        before, after = {}, {}
        for key, value in parsed.items():
            row, _, column, _ = cells[key]
            current = existing.get(key)
            if value is None:
                if current is not None:
                    before[key] = str(current.value)
                    current.delete()
                    changed += 1
                continue
            if current is not None and current.value == value and (not source or current.source == source):
                continue
            before[key] = str(current.value) if current else None
            after[key] = str(value)
            Art20Figure.objects.update_or_create(
                agency=agency, year=year, row=row, column=column,
                defaults={"value": value, "source": source or (current.source if current else "")},
            )  # fmt: skip
            changed += 1
        if changed:
            audit_record(
                actor=by, action=AuditAction.ART20_FIGURE_SAVE, obj=agency, agency=agency,
                before={"year": year, **before}, after={"year": year, "source": source, **after},
            )  # fmt: skip
    return changed
