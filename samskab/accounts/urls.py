from django.urls import path

from samskab.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.profile, name="profile"),
]
