from django.urls import path

from samskab.moderation import views

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("handling/", views.act, name="act"),
    path("ret/<str:label>/<int:pk>/", views.edit, name="edit"),
    path("log/", views.log, name="log"),
    path("offentliggjort/", views.published, name="published"),
    path("fjern/<str:label>/<int:pk>/", views.take_down, name="take_down"),
    path("udelukkelser/", views.bans, name="bans"),
    path("udelukkelser/<int:ban_id>/ophaev/", views.ban_lift, name="ban_lift"),
    path("anmeld/<str:label>/<int:pk>/", views.report, name="report"),
    path("tilstand/<str:label>/<int:pk>/", views.mode, name="mode"),
]
