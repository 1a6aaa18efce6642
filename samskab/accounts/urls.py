from django.urls import path

from samskab.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("bopael/", views.residence_verify, name="residence_verify"),
    path("mine-data/", views.data_export, name="data_export"),
    path("mine-data/oversigt/", views.data_overview, name="data_overview"),
    path("slet/", views.account_delete, name="delete"),
]
