from django.urls import path

from samskab.moderation import views

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("handling/", views.act, name="act"),
    path("ret/<int:comment_id>/", views.edit, name="edit"),
    path("log/", views.log, name="log"),
    path("offentliggjort/", views.published, name="published"),
    path("fjern/<int:comment_id>/", views.take_down, name="take_down"),
    path("udelukkelser/", views.bans, name="bans"),
    path("udelukkelser/<int:ban_id>/ophaev/", views.ban_lift, name="ban_lift"),
    path("anmeld/<int:comment_id>/", views.report, name="report"),
]
