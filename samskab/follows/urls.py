from django.urls import path

from samskab.follows import views

app_name = "follows"

urlpatterns = [
    path("<str:label>/<int:pk>/", views.toggle, name="toggle"),
]
