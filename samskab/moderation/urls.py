from django.urls import path

from samskab.moderation import views

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("handling/", views.act, name="act"),
    path("ret/<int:comment_id>/", views.edit, name="edit"),
    path("log/", views.log, name="log"),
    path("anmeld/<int:comment_id>/", views.report, name="report"),
]
