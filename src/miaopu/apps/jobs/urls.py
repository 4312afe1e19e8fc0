from django.urls import path

from . import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("<int:pk>/", views.job_detail, name="job_detail"),
    path("<int:pk>/status.json", views.job_status, name="job_status"),
    path("<int:pk>/download", views.job_download, name="job_download"),
    path("submit/<str:kind>/", views.job_submit, name="job_submit"),
]
