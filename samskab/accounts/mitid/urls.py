"""Included by allauth under /accounts/ (allauth builds provider URLs from the registry)."""

from django.urls import path

from samskab.accounts.mitid import views

urlpatterns = [
    path("mitid/login/", views.login, name="mitid_login"),
    path("mitid/login/callback/", views.callback, name="mitid_callback"),
]
