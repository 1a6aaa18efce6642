from django.urls import path

from samskab.staff import mailbox, views

app_name = "staff"

urlpatterns = [
    path("", views.home, name="home"),
    path("post/", mailbox.mails, name="mailbox"),
    path("post/<str:name>/", mailbox.mail, name="mail"),
]
