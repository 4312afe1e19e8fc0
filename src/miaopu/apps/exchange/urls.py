from django.urls import path

from . import views

app_name = "exchange"
urlpatterns = [
    path("", views.index, name="index"),
    path("roster/import/", views.roster_import, name="roster_import"),
    path("roster/template.xlsx", views.roster_template, name="roster_template"),
    path("roster/export.xlsx", views.roster_export, name="roster_export"),
    path("report/<str:token>.xlsx", views.report_download, name="report_download"),
    path("lrmx/import/", views.lrmx_import, name="lrmx_import"),
    path("cadres/<int:pk>.lrmx", views.cadre_lrmx, name="cadre_lrmx"),
    path("cadres/<int:pk>.docx", views.cadre_docx, name="cadre_docx"),
]
