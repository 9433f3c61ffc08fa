"""Explicit routes: pages, layer APIs, OpenAPI schema, accounts and the (relocated) admin."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView

from geoapp.views import home

urlpatterns = [
    path("", home.home, name="home"),
    path("", include("ops.urls")),
    path("api/layers/", include("layers.api.urls")),
    path("api/public/voice/", include("voice.api_urls")),
    path("api/public/", include("public.api.urls")),
    path("public/", include("public.urls")),
    path("api/programme/", include("programme.api.urls")),
    path("api/blocks/", include("blocks.api.urls")),
    path("api/siting/", include("siting.api.urls")),
    path("programme/", include("programme.urls")),
    path("api/", include("runs.api.urls")),
    path("api/", include("lifecircle.api.urls")),
    path("api/planner/", include("planner.api.urls")),
    path("planner/", include("planner.urls")),
    path("layers/", include("layers.urls")),
    path("voice/", include("voice.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path(settings.ADMIN_URL, admin.site.urls),
]

# a lost database answers 503 with Retry-After, a full disk 507 (ops/views.py)
handler500 = "ops.views.server_error"
