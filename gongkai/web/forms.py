"""Form helpers shared by the portal and the workbench: Chinese messages, dates, a service's errors beside
their fields, and the applicant's fields checked by the one set of rules (gongkai.cases.applicant)."""

from __future__ import annotations

import datetime

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from gongkai.cases.applicant import (
    DESCRIPTION_MAX,
    MAX_LENGTHS,
    Applicant,
    applicant_problems,
    field_messages,
)
from gongkai.cases.services.common import PAST_YEAR_REASON_MAX
from gongkai.errors import Code
from gongkai.text import clean_multiline, single_line_problem
from gongkai.web.attachments import ACCEPT, TYPES_TEXT, CheckedUpload, check_upload, size_label

CHINESE_ERRORS = {
    "required": "此项为必填项",
    "invalid": "格式不正确",
    "invalid_choice": "请从列表中选择",
    "max_value": "不能大于 %(limit_value)s",
    "min_value": "不能小于 %(limit_value)s",
    "max_length": "不能超过%(limit_value)d个字（现有%(show_value)d个字）",
    "min_length": "不能少于%(limit_value)d个字（现有%(show_value)d个字）",
    "invalid_date": "日期格式不正确",
    "missing": "没有收到文件",
    "empty": "上传的文件是空的",
}
# Checked by the field's validators: Django uses the field's message of the same code only when the field
# has one, and by default it has none (its validator's own message is Django's wording).
_VALIDATOR_CODES = frozenset({"max_length", "min_length", "max_value", "min_value"})
# A whole number field that names no bounds of its own gets those of a database integer column.
INTEGER_BOUNDS = (-(2**31), 2**31 - 1)


def _single_line(value) -> None:
    if isinstance(value, str) and (problem := single_line_problem(value)):
        raise forms.ValidationError(problem, code=Code.INVALID_CHARACTER.value)


def _guard_text(field: forms.CharField) -> None:
    """The text rules of gongkai.text on a text field: a multi-line field (a textarea, shown or hidden) loses
    its control characters, any other refuses them. They replace Django's own check for NUL only."""
    field.validators = [
        v for v in field.validators if not isinstance(v, validators.ProhibitNullCharactersValidator)
    ]
    if not isinstance(field.widget, forms.Textarea):
        field.validators.append(_single_line)
        return
    parse = field.to_python

    def to_python(value):
        value = parse(value)
        if isinstance(value, str) and value:
            value = clean_multiline(value)
            if field.strip:
                value = value.strip()
            if value in field.empty_values:
                return field.empty_value
        return value

    field.to_python = to_python


def _guard_number(field: forms.IntegerField) -> None:
    low, high = INTEGER_BOUNDS
    if field.min_value is None:
        field.min_value = low
        field.validators.append(validators.MinValueValidator(low))
    if field.max_value is None:
        field.max_value = high
        field.validators.append(validators.MaxValueValidator(high))


def valid_key(model_field, value) -> bool:
    """Could `value` be a value of this key column (an id)? Not when the column's type refuses it (text for
    a number: the query would raise ValueError), when the database could not hold it (a number beyond the
    integer column: SQLite raises OverflowError on the query) or when it holds a control character."""
    try:
        key = model_field.get_prep_value(model_field.to_python(value))
    except (ValidationError, ValueError, TypeError):
        return False
    if isinstance(key, int):
        low, high = connection.ops.integer_field_range(model_field.get_internal_type())
        return (low is None or key >= low) and (high is None or key <= high)
    return not (isinstance(key, str) and single_line_problem(key))


def _guard_model_choice(field: forms.ModelChoiceField) -> None:
    """Ids the database cannot hold are refused as a choice not on the list, before any query."""
    meta = field.queryset.model._meta
    key_field = meta.get_field(field.to_field_name) if field.to_field_name else meta.pk
    clean = field.clean

    def checked(value):
        values = value if isinstance(value, list | tuple) else [value]
        if any(v not in field.empty_values and not valid_key(key_field, v) for v in values):
            raise ValidationError(CHINESE_ERRORS["invalid_choice"], code="invalid_choice")
        return clean(value)

    field.clean = checked


def apply_input_rules(form: forms.BaseForm) -> None:
    """The rules every form of the system follows, on a form instance: text fields as gongkai.text says (no
    control characters kept), whole numbers within a database integer, ids the database can look up.
    ChineseForm applies them; a form that is not one (the admin's) gets them through `with_input_rules`."""
    for field in form.fields.values():
        if isinstance(field, forms.CharField):
            _guard_text(field)
        elif isinstance(field, forms.IntegerField):
            _guard_number(field)
        elif isinstance(field, forms.ModelChoiceField):
            _guard_model_choice(field)


class InputRulesMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        apply_input_rules(self)


def with_input_rules(form_class: type) -> type:
    """`form_class` with the input rules (`apply_input_rules`) on every instance."""
    if issubclass(form_class, InputRulesMixin):
        return form_class
    return type(form_class.__name__, (InputRulesMixin, form_class), {"__module__": form_class.__module__})


def today() -> datetime.date:
    return timezone.localdate()


class ChineseForm(forms.Form):
    """Error messages in Chinese whatever language the browser asks for; the input rules
    (`apply_input_rules`) on every field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        apply_input_rules(self)
        for field in self.fields.values():
            defaults: dict = {}
            for cls in reversed(type(field).__mro__):
                defaults.update(getattr(cls, "default_error_messages", {}))
            for code, message in CHINESE_ERRORS.items():
                # a message the form declared for this field is kept; Django's own defaults are replaced
                current = field.error_messages.get(code)
                if current is not None and current is not defaults.get(code):
                    continue
                if code in _VALIDATOR_CODES:
                    # a FileField's max_length is its file name's, with other parameters
                    if isinstance(field, forms.FileField) or getattr(field, code, None) is None:
                        continue
                    field.error_messages[code] = message
                elif current is not None:
                    field.error_messages[code] = message
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = "日期格式不正确，应为 年-月-日，如 2025-03-01"
            elif isinstance(field, forms.IntegerField):
                field.error_messages["invalid"] = "请输入整数"
            elif isinstance(field, forms.EmailField):
                field.error_messages["invalid"] = "电子邮箱格式不正确"
            if getattr(field, "max_length", None):
                field.widget.attrs.setdefault("maxlength", str(field.max_length))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def date_field(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), initial=today, **kwargs)


def past_year_reason_field() -> forms.CharField:
    return forms.CharField(
        label="补录或更正理由",
        required=False,
        max_length=PAST_YEAR_REASON_MAX,
        help_text="日期在以前年度时必填：办理后该年度的统计数据将随之改变",
    )


def service_errors(form: forms.Form, error) -> None:
    """Put a service's ValidationError on the form: next to the field it names, else above the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class ApplicantFieldsMixin:
    """clean() for a form with the applicant's fields: every rule of gongkai.cases.applicant, shown inline.
    The cleaned data carries the normalised `Applicant` as cleaned_data["applicant"]. What a field checks
    by itself (required, a choice, the length) it reports with the rules' message."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, messages in field_messages().items():
            if name in self.fields:
                self.fields[name].error_messages.update(messages)

    def clean(self):
        data = super().clean()
        applicant = Applicant.of(data)
        for field, problem in applicant_problems(applicant).items():
            # a field that failed its own parsing (e.g. no choice made) keeps that one message
            if field in self.fields and field not in self.errors:
                self.add_error(field, problem.message)
        data["applicant"] = applicant
        return data


def description_field(rows: int) -> forms.CharField:
    return forms.CharField(
        label="所需政府信息的名称、文号或者便于查询的其他特征性描述",
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text="请尽量写明文件名称、文号、发布时间等，便于准确查找",
    )


def text_field(name: str, label: str, **kwargs) -> forms.CharField:
    """A text field of the applicant with the length the rules allow."""
    return forms.CharField(label=label, max_length=MAX_LENGTHS[name], **kwargs)


class UploadField(forms.FileField):
    """An optional attachment, checked by gongkai.web.attachments (size, type by content). Its cleaned
    value is a CheckedUpload, or None."""

    def __init__(self, label: str = "附件（可选）", **kwargs):
        from django.conf import settings

        kwargs.setdefault(
            "help_text",
            f"可上传 {TYPES_TEXT} 文件，不超过 {size_label(settings.UPLOAD_MAX_BYTES)}",
        )
        super().__init__(
            label=label, required=False, widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}), **kwargs
        )

    def clean(self, data, initial=None) -> CheckedUpload | None:
        upload = super().clean(data, initial)
        if not upload:
            return None
        try:
            return check_upload(upload)
        except forms.ValidationError as error:
            raise forms.ValidationError(error.messages) from error
