"""gongkai's URLs and one bare Django view, for bench/load.py (see bench/load_site.py)."""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


urlpatterns = [path("bench-bare/", bare), path("", include("gongkai.urls"))]
