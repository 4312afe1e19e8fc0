from django.urls import path

from . import views

app_name = "growth"
urlpatterns = [
    path("", views.index, name="index"),
    path("readiness/", views.readiness, name="readiness"),
    path("cadres/<int:pk>/", views.file, name="file"),
    path("cadres/<int:pk>/print/", views.file_print, name="file_print"),
    path("cadres/<int:pk>/file.pdf", views.file_pdf, name="file_pdf"),
    path("cadres/<int:pk>/file.docx", views.file_docx, name="file_docx"),
    path("cadres/<int:pk>/photo/", views.photo, name="photo"),
    path("cadres/<int:pk>/entries/new/", views.entry_create, name="entry_create"),
    path("cadres/<int:pk>/talks/new/", views.talk_create, name="talk_create"),
    path("cadres/<int:pk>/punishments/new/", views.punishment_create, name="punishment_create"),
    path("entries/<int:pk>/", views.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/delete/", views.entry_delete, name="entry_delete"),
    path("talks/<int:pk>/", views.talk_edit, name="talk_edit"),
    path("talks/<int:pk>/delete/", views.talk_delete, name="talk_delete"),
    path("punishments/<int:pk>/", views.punishment_edit, name="punishment_edit"),
    path("punishments/<int:pk>/delete/", views.punishment_delete, name="punishment_delete"),
    path("<str:owner>/<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
]
