from django.urls import path

from . import views

app_name = "fieldwork"
urlpatterns = [
    path("", views.home, name="home"),
    path("bases/", views.base_list, name="base_list"),
    path("bases/new/", views.base_create, name="base_create"),
    path("bases/<int:pk>/", views.base_detail, name="base_detail"),
    path("bases/<int:pk>/edit/", views.base_edit, name="base_edit"),
    path("bases/<int:pk>/certify/", views.base_certify, name="base_certify"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("ledger/", views.ledger_list, name="ledger_list"),
    path("ledger/new/", views.ledger_create, name="ledger_create"),
    path("ledger/<int:pk>/", views.ledger_detail, name="ledger_detail"),
    path("ledger/<int:pk>/takers/", views.ledger_takers, name="ledger_takers"),
    path("care/", views.care_list, name="care_list"),
    path("care/cadres/<int:pk>/", views.care_cadre, name="care_cadre"),
]
