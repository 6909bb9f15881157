"""Staff pages. Thin: every read goes through a selector (which filters by the user's agencies, so another
agency's case is a 404), every write through a service (which checks the permission and the state);
a service's ValidationError is shown beside the field it names, its PermissionDenied as a 403 page."""

from gongkai.workbench.views.applications import (
    Login,
    application_action,
    application_detail,
    application_export,
    application_list_view,
    application_register,
    attachment_download,
    dashboard,
    logout,
)
from gongkai.workbench.views.approvals import approval_decide_view, approval_queue
from gongkai.workbench.views.art20 import catalog_art20
from gongkai.workbench.views.catalog import (
    catalog_item,
    catalog_item_edit,
    catalog_item_new,
    catalog_item_recall,
    catalog_item_submit,
    catalog_item_validity,
    catalog_item_withdraw,
    catalog_items,
)
from gongkai.workbench.views.catalog_columns import (
    catalog_column_edit,
    catalog_columns,
    catalog_columns_bootstrap,
)
from gongkai.workbench.views.catalog_io import (
    catalog_export,
    catalog_import_items,
    catalog_import_posts,
    catalog_io,
    catalog_template,
)
from gongkai.workbench.views.guide import guide_edit
from gongkai.workbench.views.holidays import holidays
from gongkai.workbench.views.letters import (
    letter_discard,
    letter_download,
    letter_draft,
    letter_edit,
    letter_issue,
    letter_withdraw,
)
from gongkai.workbench.views.media import media_account, media_account_edit, media_accounts, media_post_new
from gongkai.workbench.views.reports import annual_tables_download, annual_tables_view
from gongkai.workbench.views.review_cases import review_case_conclude, review_case_list
from gongkai.workbench.views.settings import agency_settings

__all__ = [
    "Login",
    "agency_settings",
    "annual_tables_download",
    "annual_tables_view",
    "application_action",
    "application_detail",
    "application_export",
    "application_list_view",
    "application_register",
    "approval_decide_view",
    "approval_queue",
    "attachment_download",
    "catalog_export",
    "catalog_import_items",
    "catalog_import_posts",
    "catalog_io",
    "catalog_template",
    "catalog_art20",
    "catalog_column_edit",
    "catalog_columns",
    "catalog_columns_bootstrap",
    "catalog_item",
    "catalog_item_edit",
    "catalog_item_new",
    "catalog_item_recall",
    "catalog_item_submit",
    "catalog_item_validity",
    "catalog_item_withdraw",
    "catalog_items",
    "dashboard",
    "guide_edit",
    "holidays",
    "letter_discard",
    "letter_download",
    "letter_draft",
    "letter_edit",
    "letter_issue",
    "letter_withdraw",
    "logout",
    "media_account",
    "media_account_edit",
    "media_accounts",
    "media_post_new",
    "review_case_conclude",
    "review_case_list",
]
