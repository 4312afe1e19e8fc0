from django.urls import path

from . import views

app_name = "pools"
urlpatterns = [
    path("", views.pool_index, name="index"),
    path("entries/new/", views.pool_entry_add, name="entry_add"),
    path("entries/<int:pk>/edit/", views.pool_entry_edit, name="entry_edit"),
    path("entries/<int:pk>/exit/", views.pool_entry_exit, name="entry_exit"),
    path("<str:pool>/", views.pool_list, name="pool_list"),
    path("<str:pool>/export.xlsx", views.pool_export, name="pool_export"),
]
