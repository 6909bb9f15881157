"""Django admin for agencies and staff. The admin is for superusers only: staff accounts that are not
superusers cannot log in to it or open any of its pages (they work in the workbench), and the admin
login has the same protection as the workbench login (gongkai.agencies.login_guard)."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group

from gongkai.agencies.auth import SuperuserLoginForm, superuser_only
from gongkai.agencies.models import Agency, LoginFailure, Membership
from gongkai.agencies.services import agency_create, membership_grant, membership_revoke
from gongkai.audit.actions import AuditAction
from gongkai.audit.services import audit_record
from gongkai.web.admin import InputRulesAdmin, InputRulesInline

admin.site.site_header = "政府信息公开系统管理"
admin.site.site_title = "系统管理"
admin.site.index_title = "系统管理（仅限系统管理员）"
admin.site.login_form = SuperuserLoginForm
admin.site.has_permission = superuser_only

_AGENCY_FIELDS = (
    "name",
    "parent",
    "credit_code",
    "is_supervisor",
    "office_name",
    "address",
    "postcode",
    "hours",
    "phone",
    "fax",
    "email",
)


class MembershipInline(InputRulesInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Agency)
class AgencyAdmin(InputRulesAdmin):
    list_display = ["name", "parent", "is_supervisor", "office_name", "phone"]
    list_filter = ["is_supervisor"]
    search_fields = ["name", "office_name", "credit_code"]
    fields = _AGENCY_FIELDS
    inlines = [MembershipInline]

    def get_readonly_fields(self, request, obj=None):
        # moving an agency would have to rewrite the paths of its whole subtree: not done here
        return ["parent"] if obj is not None else []

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            before = {f: form.initial.get(f) for f in form.changed_data}
            obj.save()
            if not form.changed_data:  # saved for its roles only: the inline audits those
                return
            audit_record(
                actor=request.user,
                action=AuditAction.AGENCY_UPDATE,
                obj=obj,
                agency=obj,
                before=before,
                after={f: form.cleaned_data.get(f) for f in form.changed_data},
            )
            return
        fields = {f: form.cleaned_data[f] for f in _AGENCY_FIELDS if f not in ("name", "parent")}
        created = agency_create(name=obj.name, parent=obj.parent, by=request.user, **fields)
        obj.pk, obj.path = created.pk, created.path

    def has_delete_permission(self, request, obj=None):
        return False  # applications and reports refer to the agency

    def save_formset(self, request, form, formset, change):
        """Roles change only through membership_grant / membership_revoke (each one audited); a changed row
        is the old role taken away and the new one given. The formset's new/changed/deleted objects are set
        as formset.save() would, for the admin's change message."""
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        new, changed, deleted = [], [], []
        for inline_form in formset.deleted_forms:
            if inline_form.instance.pk:
                membership = Membership.objects.get(pk=inline_form.instance.pk)
                membership_revoke(membership=membership, by=request.user)
                deleted.append(membership)
        for inline_form in formset.forms:
            if inline_form in formset.deleted_forms or not inline_form.has_changed():
                continue
            data = inline_form.cleaned_data
            if inline_form.instance.pk:
                membership_revoke(
                    membership=Membership.objects.get(pk=inline_form.instance.pk), by=request.user
                )
            granted = membership_grant(
                user=data["user"], agency=form.instance, role=data["role"], by=request.user
            )
            if inline_form.instance.pk:
                changed.append((granted, inline_form.changed_data))
            else:
                new.append(granted)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = new, changed, deleted


@admin.register(Membership)
class MembershipAdmin(InputRulesAdmin):
    list_display = ["user", "agency", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "agency__name"]
    autocomplete_fields = ["user", "agency"]
    list_select_related = ["user", "agency"]

    def has_change_permission(self, request, obj=None):
        return False  # a role is given or taken away, never edited in place

    def save_model(self, request, obj, form, change):
        created = membership_grant(user=obj.user, agency=obj.agency, role=obj.role, by=request.user)
        obj.pk = created.pk

    def delete_model(self, request, obj):
        membership_revoke(membership=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user", "agency"):
            self.delete_model(request, membership)


@admin.register(LoginFailure)
class LoginFailureAdmin(InputRulesAdmin):
    """Read-only; deleting the rows of a user name and address lifts their lock (and the delay of the name)."""

    list_display = ["username", "ip", "at"]
    search_fields = ["username", "ip"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# Django's own admin of users and groups, with the input rules of every other form
admin.site.unregister(get_user_model())
admin.site.unregister(Group)


@admin.register(get_user_model())
class StaffUserAdmin(InputRulesAdmin, UserAdmin):
    pass


@admin.register(Group)
class StaffGroupAdmin(InputRulesAdmin, GroupAdmin):
    pass
