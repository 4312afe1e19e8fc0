from django.urls import path

from . import views

app_name = "cadres"
urlpatterns = [
    path("", views.cadre_list_view, name="cadre_list"),
    path("new/", views.cadre_create, name="cadre_create"),
    path("<int:pk>/", views.cadre_detail, name="cadre_detail"),
    path("<int:pk>/edit/", views.cadre_edit, name="cadre_edit"),
    path("<int:pk>/experience/new/", views.experience_create, name="experience_create"),
    path("experience/<int:pk>/edit/", views.experience_edit, name="experience_edit"),
    path("experience/<int:pk>/delete/", views.experience_delete, name="experience_delete"),
]
