from pathlib import Path

from django.contrib import admin
from django.http import FileResponse
from django.urls import include, path
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

FAVICON = Path(__file__).resolve().parent / "static" / "gongkai" / "favicon.ico"


@require_safe
@cache_control(public=True, max_age=24 * 3600)
def favicon(request):
    """/favicon.ico, which browsers ask for whatever a page links (the admin pages, the 500 page, feeds)."""
    return FileResponse(FAVICON.open("rb"), content_type="image/x-icon")


# Chinese error pages; JSON in the API's shape under /api/
handler400 = "gongkai.web.errors.bad_request"
handler403 = "gongkai.web.errors.permission_denied"
handler404 = "gongkai.web.errors.page_not_found"
handler500 = "gongkai.web.errors.server_error"

urlpatterns = [
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("workbench/", include("gongkai.workbench.urls")),
    path("api/", include("gongkai.api.urls")),
    path("", include("gongkai.portal.urls")),
]
