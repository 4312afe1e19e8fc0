from django.urls import path

from . import views

app_name = "assessments"
urlpatterns = [
    path("", views.cycle_list, name="cycle_list"),
    path("cycles/new/", views.cycle_create, name="cycle_create"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("cycles/<int:pk>/grid/", views.cycle_grid, name="cycle_grid"),
    path("cycles/<int:pk>/import/", views.cycle_import, name="cycle_import"),
    path("cycles/<int:pk>/template.xlsx", views.cycle_template, name="cycle_template"),
    path("reviews/", views.review_list, name="review_list"),
    path("reviews/new/<int:cadre_pk>/", views.review_create, name="review_create"),
]
