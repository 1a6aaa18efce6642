from django.urls import path

from samskab.feedback import staff_views, views

app_name = "feedback"

urlpatterns = [
    path("moede/<int:meeting_pk>/", views.meeting_feedback, name="meeting"),
    path("indbakke/", staff_views.inbox, name="inbox"),
    path("indbakke/<int:pk>/", staff_views.message, name="message"),
]
