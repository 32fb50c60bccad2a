from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from stayhere.core import language, signin
from stayhere.core import views as core_views
from stayhere.core.admin_pages import admin_urls, same_origin

urlpatterns = [
    path("health", core_views.health, name="health"),
    path("i18n/language", language.set_language, name="set_language"),
    path("jsi18n/<str:language>.js", language.javascript_catalog, name="javascript-catalog"),
    # The admin's pages send their referrer to this origin only, or Chromium posts their forms with "Origin: null".
    path("admin/login/", same_origin(signin.admin_login), name="admin-login"),  # before the admin's own
    path("admin/", admin_urls(admin.site.urls)),
    path("", include("stayhere.rooms.web.urls")),
    path("", include("stayhere.slips.urls")),
    path("", include("stayhere.journal.urls")),
    path("", include("stayhere.service.urls")),
    path("", include("stayhere.printing.urls")),
    path("", include("stayhere.directory.urls")),
]
