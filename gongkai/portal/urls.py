from django.urls import path

from gongkai.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("apply/<int:agency_pk>/", views.apply, name="apply"),
    path("apply/receipt/", views.receipt, name="receipt"),
    path("status/", views.status, name="status"),
]
