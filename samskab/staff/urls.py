from django.urls import path

from samskab.staff import views

app_name = "staff"

urlpatterns = [
    path("", views.home, name="home"),
]
