"""Machine-readable error codes, one list for the whole system.

A service raises a Django ValidationError whose code is one of `Code` (`invalid(field, code, message)`);
forms show its Chinese message beside the field, the API answers `{"code": "…", "detail": "中文说明"}` with
the same code (gongkai/api). Permission and lookup failures have their codes here too.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import ValidationError

from gongkai.text import clean_multiline, single_line_problem


class Code(StrEnum):
    # requests
    NOT_AUTHENTICATED = "not_authenticated"
    PERMISSION_DENIED = "permission_denied"
    NOT_FOUND = "not_found"
    INVALID_PARAMETER = "invalid_parameter"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    # input
    INVALID = "invalid"
    REQUIRED = "required"
    TOO_LONG = "too_long"
    TOO_SHORT = "too_short"
    INVALID_CHOICE = "invalid_choice"
    INVALID_ID_NUMBER = "invalid_id_number"
    INVALID_CREDIT_CODE = "invalid_credit_code"
    ID_TYPE_MISMATCH = "id_type_mismatch"
    INVALID_PHONE = "invalid_phone"
    INVALID_EMAIL = "invalid_email"
    INVALID_POSTCODE = "invalid_postcode"
    CONTACT_PERSON_REQUIRED = "contact_person_required"
    ADDRESS_REQUIRED = "address_required"
    EMAIL_REQUIRED = "email_required"
    INVALID_CHARACTER = "invalid_character"
    OUT_OF_RANGE = "out_of_range"
    INVALID_FILE = "invalid_file"
    FILE_TOO_LARGE = "file_too_large"
    # dates and the clock
    DATE_IN_FUTURE = "date_in_future"
    DATE_TOO_EARLY = "date_too_early"
    DEADLINE_PASSED = "deadline_passed"
    DEADLINE_NOT_PASSED = "deadline_not_passed"
    PAST_YEAR_REASON_REQUIRED = "past_year_reason_required"
    # the procedure
    STEP_NOT_ALLOWED = "step_not_allowed"
    ALREADY_DONE = "already_done"
    NOT_APPLICABLE = "not_applicable"
    DUPLICATE = "duplicate"
    PLACEHOLDERS_LEFT = "placeholders_left"
    APPROVAL_REQUIRED = "approval_required"
    APPROVAL_LIMIT_PASSED = "approval_limit_passed"
    NOT_CONFIGURED = "not_configured"
    CONFIRMATION_REQUIRED = "confirmation_required"


def invalid(field: str | None, code: Code, message: str) -> ValidationError:
    """A ValidationError for one field (None: the whole request), with its code."""
    error = ValidationError(message, code=code.value)
    return ValidationError({field: error}) if field else error


def clean_text(field: str, value, *, multiline: bool = False, max_length: int | None = None) -> str:
    """Free text a service takes, as it keeps it (gongkai.text): stripped; multi-line text without control
    characters other than line breaks and tabs; a single-line value with one is refused, as is a text
    longer than `max_length`."""
    text = str(value or "")
    if multiline:
        text = clean_multiline(text).strip()
    else:
        text = text.strip()
        if problem := single_line_problem(text):
            raise invalid(field, Code.INVALID_CHARACTER, problem)
    if max_length is not None and len(text) > max_length:
        raise invalid(field, Code.TOO_LONG, f"不能超过{max_length}个字（现有{len(text)}个字）")
    return text


def first_code(error: ValidationError) -> str:
    """The code of the first message of a ValidationError (Code.INVALID when it has none)."""
    errors = (
        [e for field_errors in error.error_dict.values() for e in field_errors]
        if hasattr(error, "error_dict")
        else list(error.error_list)
    )
    for e in errors:
        if e.code:
            return e.code
    return Code.INVALID.value
