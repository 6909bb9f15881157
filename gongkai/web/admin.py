"""What every page of the Django admin shares with the rest of the system: its forms follow the input rules
(gongkai.web.forms.apply_input_rules), and what it looks up from a request is checked before the database
sees it: a search term longer than any name or with a control character (SQLite refuses a LIKE pattern
over 50,000 bytes, PostgreSQL any NUL), ids of selected rows and of autocomplete choices that are not ids."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AutocompleteSelect

from gongkai.text import single_line_problem
from gongkai.web.forms import valid_key, with_input_rules

SEARCH_MAX = 100


def _key_field(db_field):
    remote = db_field.remote_field
    opts = remote.model._meta
    return opts.get_field(getattr(remote, "field_name", None) or opts.pk.name)


class CheckedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete widget that shows again only the submitted values that are ids: Django looks the
    submitted values up to show them, and a value that is not an id would fail that query."""

    def optgroups(self, name, value, attr=None):
        key_field = _key_field(self.field)
        return super().optgroups(name, [v for v in value if valid_key(key_field, v)], attr)


class InputRulesMixin:
    """For a ModelAdmin or an inline: its autocomplete widgets are the checked ones (the project has no
    many-to-many autocomplete; tests/web/test_bad_input.py would find one)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class InputRulesInline(InputRulesMixin, admin.TabularInline):
    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = with_input_rules(formset.form)
        return formset


class InputRulesAdmin(InputRulesMixin, admin.ModelAdmin):
    """A ModelAdmin whose forms, inline forms, searches and actions follow the input rules."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        return with_input_rules(super().get_form(request, obj, change=change, **kwargs))

    def get_search_results(self, request, queryset, search_term):
        problem = single_line_problem(search_term) or (
            f"不能超过{SEARCH_MAX}个字" if len(search_term) > SEARCH_MAX else None
        )
        if problem:
            messages.error(request, f"搜索词有误：{problem}")
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def response_action(self, request, queryset):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(valid_key(self.model._meta.pk, value) for value in selected):
            messages.error(request, "所选的记录有误，请刷新页面后重新选择")
            return None  # the admin then shows the list again
        return super().response_action(request, queryset)


class ReadOnlyAdmin(InputRulesAdmin):
    """Records the admin shows and never changes (they change through the services, or not at all)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
