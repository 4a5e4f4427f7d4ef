from django.contrib import admin
from django.urls import include, path

from diadi import health, views

handler400 = "diadi.views.bad_request"
handler404 = "diadi.views.page_not_found"
handler500 = "diadi.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("facilitation.urls")),
    path("", include("sessions.urls")),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", include("sessions.api.urls")),
    path("admin/", admin.site.urls),
    path("favicon.ico", views.favicon),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
