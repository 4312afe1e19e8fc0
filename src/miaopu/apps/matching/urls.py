from django.urls import path

from . import views

app_name = "matching"
urlpatterns = [
    path("batches/<int:pk>/", views.batch_page, name="batch"),
    path("batches/<int:pk>/compare/", views.plan_compare, name="compare"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/pair/", views.plan_pair, name="plan_pair"),
    path("plans/<int:pk>/accept/", views.plan_accept, name="plan_accept"),
    path("plans/<int:pk>/problem.json", views.plan_problem, name="plan_problem"),
]
