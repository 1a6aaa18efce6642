from django.urls import path

from samskab.accounts import staff_views, views

app_name = "accounts"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("bopael/", views.residence_verify, name="residence_verify"),
    path("mine-data/", views.data_export, name="data_export"),
    path("mine-data/oversigt/", views.data_overview, name="data_overview"),
    path("slet/", views.account_delete, name="delete"),
    path("personale/", staff_views.people, name="people"),
    path("personale/inviter/", staff_views.invite, name="invite"),
    path("personale/<int:pk>/inviter-igen/", staff_views.invite_again, name="invite_again"),
    path("invitation/<str:uidb64>/<str:token>/", staff_views.invitation, name="invitation"),
]
