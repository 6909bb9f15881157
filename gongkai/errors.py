"""Machine-readable error codes, one list for the whole system.

A service raises a Django ValidationError whose code is one of `Code` (`invalid(field, code, message)`);
forms show its Chinese message beside the field, the API answers `{"code": "…", "detail": "中文说明"}` with
the same code (gongkai/api). Permission and lookup failures have their codes here too.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import ValidationError


class Code(StrEnum):
    # requests
    NOT_AUTHENTICATED = "not_authenticated"
    PERMISSION_DENIED = "permission_denied"
    NOT_FOUND = "not_found"
    INVALID_PARAMETER = "invalid_parameter"
    RATE_LIMITED = "rate_limited"
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


def invalid(field: str | None, code: Code, message: str) -> ValidationError:
    """A ValidationError for one field (None: the whole request), with its code."""
    error = ValidationError(message, code=code.value)
    return ValidationError({field: error}) if field else error


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
