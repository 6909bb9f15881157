"""Staff API tokens in the Django admin (superusers only): issue one (shown once), revoke, see when each was
last used. Tokens are never deleted: a revoked one stays on record."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from gongkai.api.models import ApiToken
from gongkai.api.services import token_create, token_revoke
from gongkai.web.admin import InputRulesAdmin

VIA = "管理后台"
SHOWN = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]


class TokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["user", "name"]

    def clean_user(self):
        user = self.cleaned_data["user"]
        if not user.is_active:
            raise forms.ValidationError("该用户已停用，不能签发令牌")
        return user


class StateFilter(admin.SimpleListFilter):
    title = "状态"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", "有效"), ("revoked", "已吊销")]

    def queryset(self, request, queryset):
        if self.value() in ("active", "revoked"):
            return queryset.filter(revoked_at__isnull=self.value() == "active")
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(InputRulesAdmin):
    form = TokenForm
    list_display = ["id", "user", "name", "prefix", "state", "created_at", "last_used_at"]
    list_filter = [StateFilter]
    search_fields = ["name", "prefix", "user__username"]
    autocomplete_fields = ["user"]
    actions = ["revoke"]

    @admin.display(description="状态")
    def state(self, obj):
        return f"已吊销（{timezone.localtime(obj.revoked_at):%Y-%m-%d %H:%M}）" if obj.revoked_at else "有效"

    def get_fields(self, request, obj=None):
        return SHOWN if obj is not None else ["user", "name"]

    def get_readonly_fields(self, request, obj=None):
        return SHOWN if obj is not None else []

    def has_change_permission(self, request, obj=None):
        return False  # a token is issued and revoked, never edited

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        row, token = token_create(user=obj.user, name=obj.name, by=request.user, via=VIA)
        obj.pk, obj.prefix, obj.token_hash, obj.created_at = (
            row.pk,
            row.prefix,
            row.token_hash,
            row.created_at,
        )
        messages.warning(
            request,
            f"新令牌（只显示这一次，请立即复制并妥善保存；调用时放在请求头 Authorization: Bearer 之后）：{token}",
        )

    @admin.action(description="吊销所选令牌")
    def revoke(self, request, queryset):
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            token_revoke(token=token, by=request.user, via=VIA)
            revoked += 1
        messages.success(request, f"已吊销 {revoked} 个令牌。")
