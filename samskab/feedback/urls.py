from django.urls import path

from samskab.feedback import views

app_name = "feedback"

urlpatterns = [
    path("moede/<int:meeting_pk>/", views.meeting_feedback, name="meeting"),
]
