from django.urls import path

from samskab.comments import views

app_name = "comments"

urlpatterns = [
    path("<str:label>/<int:pk>/", views.thread, name="thread"),
    path("<str:label>/<int:pk>/skriv/", views.post, name="post"),
    path("<str:label>/<int:pk>/opgave/", views.challenge, name="challenge"),
    path("<str:label>/<int:pk>/nye/", views.since, name="since"),
    path("<str:label>/<int:pk>/liveblog/", views.liveblog, name="liveblog"),
    path("<int:comment_id>/stem/", views.vote, name="vote"),
    path("<int:comment_id>/ret/", views.edit, name="edit"),
    path("<int:comment_id>/slet/", views.delete, name="delete"),
]
