from django.urls import path

from samskab.live import views

app_name = "live"

urlpatterns = [
    path("demo/", views.demo, name="demo"),
    path("demo/publish/", views.demo_publish, name="demo_publish"),
    path("<str:channel>/", views.stream, name="stream"),
    path("<str:channel>/poll/", views.poll, name="poll"),
    path("<str:channel>/viewers/", views.viewers, name="viewers"),
]
