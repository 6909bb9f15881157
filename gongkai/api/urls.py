from django.urls import path

from gongkai.api.views import api

urlpatterns = [path("", api.urls)]
