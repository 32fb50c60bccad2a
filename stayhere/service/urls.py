from __future__ import annotations

from django.urls import path

from stayhere.service import account_page, account_views, group_views, history_views, report_views, views

app_name = "service"

urlpatterns = [
    path("meetings/<slug:slug>/suggest", views.suggest, name="suggest"),
    path("service/", views.home, name="home"),
    path("service/sign-in", account_views.sign_in, name="sign-in"),
    path("service/sign-in/code", account_views.sign_in_code, name="sign-in-code"),
    path("service/sign-out", account_views.sign_out, name="sign-out"),
    path("service/two-step", account_views.two_factor, name="two-factor"),
    path("service/passkeys/options", account_views.passkey_options, name="passkey-options"),
    path("service/passkeys", account_views.passkey_add, name="passkey-add"),
    path("service/passkeys/<int:number>/remove", account_views.passkey_remove, name="passkey-remove"),
    path("service/sign-in/passkey/options", account_views.passkey_sign_in_options, name="passkey-sign-in-options"),
    path("service/sign-in/passkey", account_views.passkey_sign_in, name="passkey-sign-in"),
    path("service/invitations/<str:token>", views.accept, name="accept"),
    path("service/roles/<int:number>/hand-over", views.hand_over, name="hand-over"),
    path("service/meetings/<slug:slug>", views.meeting_edit, name="meeting"),
    path("service/bodies/<slug:slug>", views.body_page, name="body"),
    path("service/bodies/<slug:slug>/requests", views.queue, name="queue"),
    path("service/requests/<int:number>", views.request_detail, name="request"),
]

# Report a problem, a group's own settings, a servant's own account.
urlpatterns += [
    path("meetings/<slug:slug>/report", report_views.report, name="report-problem"),
    path("service/reports", report_views.report_list, name="reports"),
    path("service/reports/<int:number>", report_views.report_detail, name="report"),
    path("service/account", account_page.account, name="account"),
    path("service/groups/<slug:slug>", group_views.group_page, name="group"),
    path("service/groups/<slug:slug>/statement", group_views.statement, name="group-statement"),
    path("service/groups/<slug:slug>/room", group_views.room, name="group-room"),
    path("service/groups/<slug:slug>/room-links", group_views.room_links, name="group-room-links"),
    path("service/groups/<slug:slug>/slips", group_views.slips, name="group-slips"),
    path("service/groups/<slug:slug>/meetings/new", group_views.meeting_new, name="meeting-new"),
    path("service/groups/<slug:slug>/places/new", group_views.place_new, name="place-new"),
    path("service/places/<int:number>", group_views.place_edit, name="place"),
    path("service/meetings/<slug:slug>/remove", group_views.meeting_remove, name="meeting-remove"),
    path("service/account/sign-out-everywhere", account_page.sign_out_everywhere, name="sign-out-everywhere"),
]

# The listings' history and freshness (stayhere.service.history_views): an object's changes, undoing one,
# confirming a listing is still right, a service body's listings not confirmed lately.
urlpatterns += [
    path("service/history/<str:kind>/<int:number>", history_views.object_history, name="history"),
    path("service/history/changes/<int:number>/undo", history_views.undo, name="undo"),
    path("service/meetings/<slug:slug>/history", history_views.meeting_history, name="meeting-history"),
    path("service/meetings/<slug:slug>/verify", history_views.verify, name="verify"),
    path("service/bodies/<slug:slug>/unverified", history_views.unverified, name="unverified"),
]
