from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from stayhere.core import signin
from stayhere.core import views as core_views

urlpatterns = [
    path("health", core_views.health, name="health"),
    path("admin/login/", signin.admin_login, name="admin-login"),  # before the admin's own, which it wraps
    path("admin/", admin.site.urls),
    path("", include("stayhere.rooms.web.urls")),
    path("", include("stayhere.slips.urls")),
    path("", include("stayhere.service.urls")),
    path("", include("stayhere.directory.urls")),
]
