"""Included by allauth under /accounts/ (allauth builds provider URLs from the registry)."""

from django.urls import path

from samskab.accounts.nemlogin import views

urlpatterns = [
    path("nemlogin/login/", views.login, name="nemlogin_login"),
    path("nemlogin/acs/", views.acs, name="nemlogin_acs"),
    path("nemlogin/acs/finish/", views.acs_finish, name="nemlogin_acs_finish"),
    path("nemlogin/metadata/", views.metadata, name="nemlogin_metadata"),
    path("nemlogin/slo/", views.slo, name="nemlogin_slo"),
    path("nemlogin/demo-idp/sso/", views.demo_sso, name="nemlogin_demo_sso"),
    path("nemlogin/demo-idp/slo/", views.demo_slo, name="nemlogin_demo_slo"),
]
