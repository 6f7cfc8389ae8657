from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView

from yizhan.api import api
from yizhan.core import health, media, media_views
from yizhan.orgs.accounts import views as account_views

urlpatterns = [
    # First: the public API is the most requested path (each pattern tried before it costs time).
    path("api/v1/", api.urls),
    path("", include("yizhan.finder.urls")),
    path("", include("yizhan.ledger.public_urls")),
    path("", include("yizhan.campaigns.public_urls")),
    path("", include("yizhan.centres.public_urls")),
    path("health/live", health.live, name="health-live"),
    path("health/ready", health.ready, name="health-ready"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("yizhan.orgs.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("staff/positions/", include("yizhan.positions.urls")),
    path("staff/feedback/", include("yizhan.ledger.urls")),
    path("staff/ledger/", include("yizhan.ledger.staff_urls")),
    path("staff/jobs/", include("yizhan.core.jobs.urls")),
    path("staff/coverage/", include("yizhan.coverage.urls")),
    path("staff/publishing/", include("yizhan.publishing.urls")),
    path("staff/inspections/", include("yizhan.inspections.urls")),
    path("staff/campaigns/", include("yizhan.campaigns.urls")),
    path("staff/grants/", include("yizhan.grants.urls")),
    path("staff/projects/", include("yizhan.projects.urls")),
    path("staff/centres/", include("yizhan.centres.urls")),
    path("staff/targets/", include("yizhan.targets.urls")),
    path("staff/reports/", include("yizhan.reports.urls")),
    path("staff/standards/", include("yizhan.standards.urls")),
    path("staff/", include("yizhan.orgs.urls")),
    path("staff/audit/", include("yizhan.core.urls")),
    # One login page for everything: the admin's own would skip nothing (same backends) but is a
    # second form to keep in step with the second factor and the lockout page.
    path("admin/login/", RedirectView.as_view(url=reverse_lazy("login"), query_string=True)),
    path("admin/", admin.site.urls),
]

# JSON under /api/, the usual pages elsewhere (yizhan/api.py).
handler400 = "yizhan.api.handler400"
handler403 = "yizhan.api.handler403"
handler404 = "yizhan.api.handler404"
handler500 = "yizhan.api.handler500"

# Uploaded files are private (decision 36): each one only for the staff who may view the record
# holding it, whatever serves the public ones.
urlpatterns += [path(f"{media.FILES_URL.lstrip('/')}<path:path>", media_views.private_file, name="private-file")]

if settings.DEBUG or settings.YIZHAN_SERVE_MEDIA:
    # Public uploads (photos of stations on the public map) and nothing else; a web server in front
    # may serve MEDIA_ROOT's public prefixes itself instead (YIZHAN_SERVE_MEDIA=0, README).
    urlpatterns += [
        path(f"{settings.MEDIA_URL.lstrip('/')}<path:path>", media_views.public_file, name="public-file"),
    ]
