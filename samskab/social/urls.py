from django.urls import path

from samskab.social import views

app_name = "social"

urlpatterns = [
    path("", views.accounts, name="accounts"),
    path("ny/", views.account_edit, name="account_new"),
    path("<int:pk>/", views.account_edit, name="account_edit"),
    path("<int:pk>/slet/", views.account_delete, name="account_delete"),
    path("<int:pk>/forbind/", views.account_connect, name="account_connect"),
    path("tilbage/", views.callback, name="callback"),
    path("moede/<int:pk>/", views.meeting_posts, name="meeting"),
    path("moede/<int:pk>/konti/", views.meeting_accounts, name="meeting_accounts"),
    path("moede/<int:pk>/opslag/<int:post_pk>/", views.post_edit, name="post_edit"),
    path(
        "moede/<int:pk>/opslag/<int:post_pk>/<str:action>/",
        views.post_action,
        name="post_action",
    ),
    path(
        "moede/<int:pk>/live/<int:broadcast_pk>/annuller/",
        views.broadcast_cancel,
        name="broadcast_cancel",
    ),
]
