from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("courses/", views.course_list, name="course_list"),
    path("courses/new/", views.course_form, name="course_create"),
    path("courses/<int:pk>/", views.course_form, name="course_edit"),
    path("classes/", views.class_list, name="class_list"),
    path("classes/new/", views.class_form, name="class_create"),
    path("classes/<int:pk>/", views.class_detail, name="class_detail"),
    path("classes/<int:pk>/edit/", views.class_form, name="class_edit"),
    path("classes/<int:pk>/weights/", views.class_weights, name="class_weights"),
    path("classes/<int:pk>/enrol/", views.class_enrol, name="class_enrol"),
    path("classes/<int:pk>/sessions/", views.class_session_add, name="class_session_add"),
    path("classes/<int:pk>/scores/", views.class_scores, name="class_scores"),
    path("classes/<int:pk>/close/", views.class_close, name="class_close"),
    path("classes/<int:pk>/reopen/", views.class_reopen, name="class_reopen"),
    path("sessions/<int:pk>/attendance/", views.session_attendance, name="session_attendance"),
    path("sessions/<int:pk>/delete/", views.session_delete, name="session_delete"),
    path("enrolments/<int:pk>/withdraw/", views.enrolment_withdraw, name="enrolment_withdraw"),
    path("trainees/", views.trainee_list, name="trainee_list"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/new/", views.order_create, name="order_create"),
    path("orders/<int:pk>/decline/", views.order_decline, name="order_decline"),
    path("demand/", views.demand, name="demand"),
    path("demand/schedule/", views.demand_schedule, name="demand_schedule"),
    path("topics/", views.topic_list, name="topic_list"),
    path("topics/new/", views.topic_form, name="topic_create"),
    path("topics/<int:pk>/", views.topic_detail, name="topic_detail"),
    path("topics/<int:pk>/edit/", views.topic_form, name="topic_edit"),
    path("topics/<int:pk>/meetings/", views.meeting_add, name="meeting_add"),
    path("topics/<int:pk>/report/", views.report_upload, name="report_upload"),
    path("topics/<int:pk>/report/download/", views.report_download, name="report_download"),
    path("topics/<int:pk>/review/", views.topic_review, name="topic_review"),
]
