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
    path("holidays/", views.holidays, name="holidays"),
]
