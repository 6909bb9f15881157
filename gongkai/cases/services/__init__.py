"""Every write of the case system (DESIGN.md "How code is written here").

Each entry point checks that `by` may write in the agency (PermissionDenied otherwise), asks the procedure
whether the step is allowed (gongkai.cases.procedure), validates what the user can get wrong (ValidationError
with a field, a code from gongkai.errors and a Chinese message), and then makes its change in one durable
transaction together with an audit event (before/after of the changed fields) and, for applications, an
ApplicationEvent with the date, the person and the legal basis (gongkai.law). A failure anywhere leaves
nothing behind.

The clock (gongkai.cases.clock): `due_on` is the day the reply is due while the clock runs, and None while
it stands still (awaiting correction, consulting, awaiting a fee when settings.FEE_PAUSES_CLOCK). A deadline
that needs a year whose holiday schedule is not confirmed is stored as an estimate (Monday to Friday counted
as working days, `…_estimated` set) and nothing is refused for it; when the year's schedule is saved, a task
computes the estimates again (gongkai.cases.services.estimates).
"""

from gongkai.cases.services.common import (
    QUERY_CODE_ALPHABET,
    QUERY_CODE_LENGTH,
    fee_pauses_clock,
    reason_error,
)
from gongkai.cases.services.consultation import application_end_consultation, application_start_consultation
from gongkai.cases.services.correction import (
    CorrectionRequested,
    application_close_uncorrected,
    application_receive_correction,
    application_request_correction,
    application_submit_correction_online,
)
from gongkai.cases.services.extension import application_request_extension
from gongkai.cases.services.fee_notices import (
    application_close_unpaid,
    application_issue_fee_notice,
    application_month_ordinal,
    application_record_payment,
)
from gongkai.cases.services.registration import application_register, application_submit_online
from gongkai.cases.services.replies import application_prepare_reply
from gongkai.cases.services.review_cases import review_case_conclude, review_case_register

__all__ = [
    "QUERY_CODE_ALPHABET",
    "QUERY_CODE_LENGTH",
    "CorrectionRequested",
    "application_close_uncorrected",
    "application_close_unpaid",
    "application_end_consultation",
    "application_issue_fee_notice",
    "application_month_ordinal",
    "application_prepare_reply",
    "application_receive_correction",
    "application_record_payment",
    "application_register",
    "application_request_correction",
    "application_request_extension",
    "application_start_consultation",
    "application_submit_correction_online",
    "application_submit_online",
    "fee_pauses_clock",
    "reason_error",
    "review_case_conclude",
    "review_case_register",
]
