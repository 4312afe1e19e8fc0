from django.urls import path

from . import views

app_name = "programmes"
urlpatterns = [
    path("", views.template_list, name="template_list"),
    path("templates/new/", views.template_create, name="template_create"),
    path("templates/<slug:code>/", views.template_detail, name="template_detail"),
    path("templates/<slug:code>/edit/", views.template_edit, name="template_edit"),
    path("templates/<slug:code>/versions/<int:number>/", views.version_detail, name="version_detail"),
    path("templates/<slug:code>/eligible/", views.eligible_list, name="eligible_list"),
    path("cadres/<int:pk>/", views.cadre_why, name="cadre_why"),
    path("batches/", views.batch_list, name="batch_list"),
    path("batches/new/", views.batch_create, name="batch_create"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/evaluate/", views.batch_evaluate, name="batch_evaluate"),
    path("batches/<int:pk>/slots/", views.batch_slot_add, name="batch_slot_add"),
    path("batches/<int:pk>/candidates/add/", views.candidate_add, name="candidate_add"),
    path("batches/<int:pk>/approve/", views.batch_approve, name="batch_approve"),
    path("batches/<int:pk>/place/", views.batch_place, name="batch_place"),
    path("batches/<int:pk>/stages/", views.batch_stages, name="batch_stages"),
    path("batches/<int:pk>/close/", views.batch_close, name="batch_close"),
    path("slots/<int:pk>/delete/", views.slot_remove, name="slot_remove"),
    path("candidates/<int:pk>/nominate/", views.candidate_nominate, name="candidate_nominate"),
    path("candidates/<int:pk>/vetting/", views.vetting_form, name="vetting_form"),
    path("candidates/<int:pk>/assign/", views.assign_form, name="assign_form"),
    path("candidates/<int:pk>/unassign/", views.assignment_clear, name="assignment_clear"),
    path("placements/", views.placement_list, name="placement_list"),
    path("placements/<int:pk>/extend/", views.placement_extend, name="placement_extend"),
    path("placements/<int:pk>/end/", views.placement_end, name="placement_end"),
    path("placements/<int:pk>/assess/", views.placement_assess, name="placement_assess"),
    path("reserve-pool/", views.reserve_pool, name="reserve_pool"),
]
