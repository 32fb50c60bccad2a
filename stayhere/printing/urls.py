from __future__ import annotations

from django.urls import path

from stayhere.printing import views

app_name = "printing"

urlpatterns = [
    path("print/", views.print_form, name="form"),
    path("print/schedule.pdf", views.schedule_pdf, name="schedule-pdf"),
]
