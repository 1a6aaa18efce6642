from django.urls import path

from samskab.supports import views

app_name = "supports"

urlpatterns = [
    path("<str:label>/<int:pk>/", views.toggle, name="toggle"),
]
