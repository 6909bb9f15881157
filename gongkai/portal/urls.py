from django.urls import path

from gongkai.portal import catalog_views, search_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("apply/<int:agency_pk>/", views.apply, name="apply"),
    path("apply/receipt/", views.receipt, name="receipt"),
    path("status/", views.status, name="status"),
    path("status/correction/", views.status_correction, name="status_correction"),
    path("status/reply.pdf", views.status_reply_download, name="status_reply_download"),
    # 政府信息公开: each agency's section, its 目录 and the item pages
    path("gongkai/<int:agency_pk>/", catalog_views.section, name="catalog_section"),
    path("gongkai/<int:agency_pk>/guide/", catalog_views.guide, name="catalog_guide"),
    path("gongkai/<int:agency_pk>/catalog/", catalog_views.catalog, name="catalog"),
    path("gongkai/<int:agency_pk>/annual/", catalog_views.annual, name="catalog_annual"),
    path("gongkai/<int:agency_pk>/column/<int:column_pk>/", catalog_views.column, name="catalog_column"),
    path("gongkai/<int:agency_pk>/column/<int:column_pk>/feed.xml", catalog_views.feed, name="catalog_feed"),
    path("gongkai/item/<int:pk>/", catalog_views.item, name="catalog_item"),
    path("gongkai/item/<int:pk>/files/<slug:key>/", catalog_views.attachment, name="catalog_attachment"),
    path("sitemap.xml", catalog_views.sitemap_index, name="sitemap"),
    path("sitemap-sections.xml", catalog_views.sitemap_sections, name="sitemap_sections"),
    path("sitemap-items-<int:bucket>.xml", catalog_views.sitemap_items, name="sitemap_items"),
    path("gongkai/search/", search_views.catalog_search_page, name="catalog_search"),
]
