from django.urls import path

from . import views

app_name = "mentoring"
urlpatterns = [
    path("", views.home, name="home"),
    path("due/", views.due_list, name="due_list"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("mentorships/", views.mentorship_list, name="mentorship_list"),
    path("mentorships/new/", views.mentorship_create, name="mentorship_create"),
    path("mentorships/<int:pk>/", views.mentorship_detail, name="mentorship_detail"),
    path("mentorships/<int:pk>/end/", views.mentorship_end, name="mentorship_end"),
    path("mentorships/<int:pk>/rate-mentee/", views.rate_mentee, name="rate_mentee"),
    path("mentorships/<int:pk>/rate-mentor/", views.rate_mentor, name="rate_mentor"),
    path("mentorships/<int:pk>/records/new/", views.record_create, name="record_create"),
    path("records/<int:pk>/edit/", views.record_edit, name="record_edit"),
    path("records/<int:pk>/delete/", views.record_delete, name="record_delete"),
    path("records/<int:pk>/confirm/", views.record_confirm, name="record_confirm"),
    path("records/<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("mentors/", views.mentor_list, name="mentor_list"),
    path("mentors/new/", views.mentor_create, name="mentor_create"),
    path("mentors/<int:pk>/", views.mentor_detail, name="mentor_detail"),
    path("mentors/<int:pk>/edit/", views.mentor_edit, name="mentor_edit"),
    path("pairing/", views.pairing_list, name="pairing_list"),
    path("pairing/new/", views.pairing_new, name="pairing_new"),
    path("pairing/rules/", views.policy_edit, name="policy_default"),
    path("pairing/rules/<slug:code>/", views.policy_edit, name="policy_edit"),
    path("pairing/<int:pk>/", views.pairing_detail, name="pairing_detail"),
    path("pairing/<int:pk>/decide/", views.pairing_decide, name="pairing_decide"),
    path("pairing/<int:pk>/confirm/", views.pairing_confirm, name="pairing_confirm"),
    path("pairing/<int:pk>/discard/", views.pairing_discard, name="pairing_discard"),
    path("proposals/<int:pk>/swap/", views.proposal_swap, name="proposal_swap"),
]
