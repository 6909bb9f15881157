from django.urls import path

from gongkai.portal import search_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("apply/<int:agency_pk>/", views.apply, name="apply"),
    path("apply/receipt/", views.receipt, name="receipt"),
    path("status/", views.status, name="status"),
    path("status/correction/", views.status_correction, name="status_correction"),
    path("status/reply.pdf", views.status_reply_download, name="status_reply_download"),
    path("gongkai/search/", search_views.catalog_search_page, name="catalog_search"),
]
