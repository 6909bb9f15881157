from django.urls import path

from gongkai.api.public_catalog import router as public_catalog
from gongkai.api.views import api

api.add_router("/public/", public_catalog)

urlpatterns = [path("", api.urls)]
