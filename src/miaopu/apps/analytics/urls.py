from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("report/", views.report, name="report"),
    path("batches/<int:pk>/", views.batch_report, name="batch_report"),
    path("alerts/", views.alert_list_view, name="alert_list"),
    path("alerts/refresh/", views.alert_refresh, name="alert_refresh"),
    path("cohorts/<slug:key>/", views.cohort, name="cohort"),
]
