"""URL map of the platform."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

from attendance.api.device import DEVICE_ROUTES
from operations.health import healthz
from operations.metrics import metrics_view
from reports import public
from smz_platform.common.api import SchemaView

admin.site.site_header = _("Construction worker real-name platform")
admin.site.site_title = _("Real-name platform administration")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    # Public pages, no login and no personal data: a project's rights board at its unguessable address.
    path("", include("rights.urls")),
    path("public/<str:code>/circulars/", public.circulars, name="public-circulars"),
    path("public/<str:code>/circulars/<str:month>/", public.circular, name="public-circular"),
    # The one-time link a regulator hands an account's holder to set a password (projects.admin.accounts):
    # Django's reset token, void once the password is set or after PASSWORD_RESET_TIMEOUT.
    path(
        "password/set/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url="/password/set/done/", reset_url_token="link"),
        name="password_reset_confirm",
    ),
    path("password/set/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("api-auth/", include("rest_framework.urls")),
    *(path(route, view.as_view(), name=name) for route, (name, view) in DEVICE_ROUTES.items()),
    path("api/v1/", include("projects.api.urls")),
    path("api/v1/", include("devices.api.urls")),
    path("api/v1/", include("inspections.api.urls")),
    path("api/v1/", include("wages.api.urls")),
    path("reports/", include("reports.urls")),
    path("", include("reports.dashboard.urls")),
]
