from django.urls import path

from samskab.attachments import views

app_name = "attachments"

urlpatterns = [
    path("<str:label>/<int:pk>/tilfoej/", views.add, name="add"),
    path("<str:kind>/<int:pk>/fjern/", views.remove, name="remove"),
]
