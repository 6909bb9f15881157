"""Django admin for the case records (superusers only, see gongkai.agencies.admin).

Applications, their events, letters and review cases change only through gongkai.cases.services, which
keep the clock and write audit events; here they are read-only. The holiday overrides and confirmed years
are what an administrator fills in when the State Council announces a year's schedule.
"""

from django.contrib import admin

from gongkai.audit.actions import AuditAction
from gongkai.audit.services import audit_record
from gongkai.cases.applicant import Surface, shown_identity
from gongkai.cases.models import (
    Application,
    ApplicationEvent,
    CalendarOverride,
    ConfirmedYear,
    Consultation,
    FeeNotice,
    Letter,
    ReviewCase,
)
from gongkai.web.admin import InputRulesAdmin, InputRulesInline, ReadOnlyAdmin


class ReadOnlyInline(InputRulesInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = ApplicationEvent
    fields = ["on", "kind", "basis", "note", "by"]


class ConsultationInline(ReadOnlyInline):
    model = Consultation
    fields = ["kind", "party", "sent_on", "reply_due_on", "answered_on"]


class FeeNoticeInline(ReadOnlyInline):
    model = FeeNotice
    fields = ["scale", "quantity", "amount", "issued_on", "pay_due_on", "paid_on"]


class LetterInline(ReadOnlyInline):
    model = Letter
    fields = ["kind", "title", "issued_on"]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = [
        "number", "agency", "applicant_name", "masked_id", "masked_phone", "received_on", "status", "due_on",
        "outcome",
    ]  # fmt: skip
    list_filter = ["status", "outcome", "applicant_kind", "channel"]
    search_fields = ["number", "applicant_name", "description"]
    date_hierarchy = "received_on"
    list_select_related = ["agency"]
    inlines = [EventInline, ConsultationInline, FeeNoticeInline, LetterInline]

    # the change page shows the same masked values as the list: full numbers only on the workbench case page
    exclude = ["id_number", "phone"]
    readonly_fields = ["masked_id", "masked_phone"]

    @staticmethod
    def _shown(obj):
        return shown_identity(
            id_type=obj.id_type, id_number=obj.id_number, phone=obj.phone, surface=Surface.EXPORT, staff=False
        )

    @admin.display(description="身份证明号码")
    def masked_id(self, obj):
        return self._shown(obj).id_number

    @admin.display(description="联系电话")
    def masked_phone(self, obj):
        return self._shown(obj).phone


@admin.register(ReviewCase)
class ReviewCaseAdmin(ReadOnlyAdmin):
    list_display = ["case_number", "agency", "kind", "filed_on", "result", "concluded_on"]
    list_filter = ["kind", "result"]
    search_fields = ["case_number", "body"]
    list_select_related = ["agency"]


class AuditedAdmin(InputRulesAdmin):
    """Changes to the working-day calendar move deadlines: each one is an audit event."""

    save_action: AuditAction
    delete_action: AuditAction

    def save_model(self, request, obj, form, change):
        before = {f: str(form.initial.get(f)) for f in form.changed_data} if change else None
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=self.save_action,
            obj=obj,
            before=before,
            after={f: str(form.cleaned_data.get(f)) for f in form.changed_data},
        )

    def delete_model(self, request, obj):
        audit_record(
            actor=request.user,
            action=self.delete_action,
            obj=obj,
            before={f.name: str(getattr(obj, f.name)) for f in obj._meta.concrete_fields},
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(AuditedAdmin):
    save_action, delete_action = AuditAction.CALENDAR_OVERRIDE_SAVE, AuditAction.CALENDAR_OVERRIDE_DELETE
    list_display = ["day", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "day"
    ordering = ["-day"]


@admin.register(ConfirmedYear)
class ConfirmedYearAdmin(AuditedAdmin):
    save_action, delete_action = AuditAction.CONFIRMED_YEAR_SAVE, AuditAction.CONFIRMED_YEAR_DELETE
    list_display = ["year", "note"]
    ordering = ["-year"]

    def save_model(self, request, obj, form, change):
        """A year confirmed here too: the deadlines estimated in it are computed again (in this transaction)."""
        from gongkai.cases.tasks import recompute_estimated_deadlines

        super().save_model(request, obj, form, change)
        recompute_estimated_deadlines.enqueue(obj.year)
