from django.urls import path

from samskab.places import views

app_name = "places"

urlpatterns = [
    path("<str:label>/<int:pk>/", views.edit, name="edit"),
]
