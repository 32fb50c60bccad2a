from __future__ import annotations

from django.urls import path

from stayhere.slips import views

app_name = "slips"

urlpatterns = [
    path("verify", views.verify_page, name="verify"),
    path("verify/check", views.check, name="check"),
    path("slips/qr", views.qr, name="qr"),
    path("slips/keys", views.keys_page, name="keys"),
    path("slips/keys.json", views.keys_json, name="keys-json"),
    path("slips/chair/<slug:slug>/<str:key>", views.chair_page, name="chair"),
    path("slips/chair/<slug:slug>/<str:key>/code", views.chair_code, name="chair-code"),
    path("slips/here/<slug:slug>/<int:minute>/<str:code>", views.here_page, name="here"),
    path("slips/scan/<slug:slug>", views.scan, name="scan"),
]
