from django.urls import path

from gongkai.workbench import views

app_name = "workbench"
urlpatterns = [
    path("login/", views.Login.as_view(), name="login"),
    path("logout/", views.logout, name="logout"),
    path("", views.dashboard, name="dashboard"),
    path("applications/", views.application_list_view, name="application_list"),
    path("applications/export.csv", views.application_export, name="application_export"),
    path("applications/new/", views.application_register, name="application_register"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/act/<slug:action>/", views.application_action, name="application_action"),
    path(
        "applications/<int:pk>/attachments/<slug:key>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path("applications/<int:pk>/letters/new/", views.letter_draft, name="letter_draft"),
    path("applications/<int:pk>/letters/<int:letter_pk>/", views.letter_edit, name="letter_edit"),
    path("applications/<int:pk>/letters/<int:letter_pk>/issue/", views.letter_issue, name="letter_issue"),
    path(
        "applications/<int:pk>/letters/<int:letter_pk>/withdraw/",
        views.letter_withdraw,
        name="letter_withdraw",
    ),
    path(
        "applications/<int:pk>/letters/<int:letter_pk>/discard/", views.letter_discard, name="letter_discard"
    ),
    path(
        "applications/<int:pk>/letters/<int:letter_pk>/docx/", views.letter_download, name="letter_download"
    ),
    path(
        "applications/<int:pk>/letters/<int:letter_pk>/pdf/",
        views.letter_download,
        {"to": "pdf"},
        name="letter_download_pdf",
    ),
    path("approvals/", views.approval_queue, name="approval_queue"),
    path("approvals/<int:approval_pk>/decide/", views.approval_decide_view, name="approval_decide"),
    path("cases/", views.review_case_list, name="review_case_list"),
    path("cases/<int:pk>/conclude/", views.review_case_conclude, name="review_case_conclude"),
    path("annual/", views.annual_tables_view, name="annual_tables"),
    path("annual/download.<str:to>", views.annual_tables_download, name="annual_tables_download"),
    path("catalog/io/", views.catalog_io, name="catalog_io"),
    path("catalog/io/import/items/", views.catalog_import_items, name="catalog_import_items"),
    path("catalog/io/import/posts/", views.catalog_import_posts, name="catalog_import_posts"),
    path("catalog/io/export/<slug:what>.xlsx", views.catalog_export, name="catalog_export"),
    path("catalog/io/template/<slug:what>.xlsx", views.catalog_template, name="catalog_template"),
    path("settings/", views.agency_settings, name="agency_settings"),
    path("guide/", views.guide_edit, name="guide_edit"),
    # 主动公开
    path("catalog/", views.catalog_items, name="catalog_items"),
    path("catalog/new/", views.catalog_item_new, name="catalog_item_new"),
    path("catalog/<int:item_pk>/", views.catalog_item, name="catalog_item"),
    path("catalog/<int:item_pk>/edit/", views.catalog_item_edit, name="catalog_item_edit"),
    path("catalog/<int:item_pk>/submit/", views.catalog_item_submit, name="catalog_item_submit"),
    path("catalog/<int:item_pk>/recall/", views.catalog_item_recall, name="catalog_item_recall"),
    path("catalog/<int:item_pk>/withdraw/", views.catalog_item_withdraw, name="catalog_item_withdraw"),
    path("catalog/<int:item_pk>/validity/", views.catalog_item_validity, name="catalog_item_validity"),
    path("catalog/columns/", views.catalog_columns, name="catalog_columns"),
    path("catalog/columns/standard/", views.catalog_columns_bootstrap, name="catalog_columns_bootstrap"),
    path("catalog/columns/<int:column_pk>/", views.catalog_column_edit, name="catalog_column_edit"),
    path("catalog/media/", views.media_accounts, name="media_accounts"),
    path("catalog/media/<int:account_pk>/", views.media_account, name="media_account"),
    path("catalog/media/<int:account_pk>/edit/", views.media_account_edit, name="media_account_edit"),
    path("catalog/media/<int:account_pk>/posts/", views.media_post_new, name="media_post_new"),
    path("catalog/art20/", views.catalog_art20, name="catalog_art20"),
    path("holidays/", views.holidays, name="holidays"),
]
