from __future__ import annotations

from django.urls import path

from stayhere.rooms.web import page_views, setup_views

app_name = "rooms"

urlpatterns = [
    path("meetings/<slug:slug>/room", page_views.room, name="room"),
    path("meetings/<slug:slug>/room/chair/<str:key>", page_views.room_as_chair, name="room-chair"),
    path("meetings/<slug:slug>/room/link/<str:key>", page_views.room_by_link, name="room-link"),
    path("rooms/settings/<str:key>", setup_views.settings, name="settings"),
    path("rooms/name-advice", page_views.name_advice, name="name-advice"),
]
