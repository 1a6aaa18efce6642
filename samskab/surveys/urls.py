from django.urls import path

from samskab.surveys import views

app_name = "surveys"

urlpatterns = [
    path("<slug:slug>/", views.answer, name="answer"),
    path("<slug:slug>/tak/", views.thanks, name="thanks"),
]
