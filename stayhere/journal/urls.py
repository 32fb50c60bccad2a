from __future__ import annotations

from django.urls import path

from stayhere.journal import views

app_name = "journal"

urlpatterns = [
    path("journal/", views.page, name="page"),
    path("journal/api/begin", views.begin, name="begin"),
    path("journal/api/accounts", views.create, name="create"),
    path("journal/api/sign-in", views.sign_in, name="sign-in"),
    path("journal/api/passphrase", views.passphrase, name="passphrase"),
    path("journal/api/journal", views.account, name="journal"),
    path("journal/api/entries/<str:entry_id>", views.entry, name="entry"),
    path("journal/api/reader-key", views.reader_key, name="reader-key"),
    path("journal/api/shares", views.shares, name="shares"),
    path("journal/api/shares/<str:share_id>", views.share, name="share"),
    path("journal/api/shares/<str:share_id>/accept", views.accept, name="accept"),
    path("journal/api/shares/<str:share_id>/notes", views.note, name="note"),
    path("journal/api/shared", views.shared, name="shared"),
]
