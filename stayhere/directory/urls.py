from __future__ import annotations

from django.urls import path

from stayhere.directory import api_views, views
from stayhere.directory.feeds import views as feed_views

app_name = "directory"

urlpatterns = [
    # The finder (server-rendered pages)
    path("", views.finder, name="finder"),
    path("meetings/<slug:slug>", views.meeting_detail, name="meeting"),
    path("meetings/<slug:slug>.ics", feed_views.meeting_ics, name="meeting-ics"),
    # Feeds out
    path("feeds/meeting-guide.json", feed_views.meeting_guide_feed, name="feed-meeting-guide"),
    path("feeds/meetings.csv", feed_views.csv_feed, name="feed-csv"),
    # BMLT's semantic API, at BMLT's own path (docs/bmlt.md)
    path("client_interface/json/", feed_views.bmlt_client_interface, {"form": "json"}, name="bmlt-json"),
    path("client_interface/jsonp/", feed_views.bmlt_client_interface, {"form": "jsonp"}, name="bmlt-jsonp"),
    path("client_interface/csv/", feed_views.bmlt_client_interface, {"form": "csv"}, name="bmlt-csv"),
    # JSON API
    path("api/meetings", api_views.meetings, name="api-meetings"),
    path("api/places", api_views.places, name="api-places"),
    path("api/openapi.json", api_views.openapi, name="api-openapi"),
]
