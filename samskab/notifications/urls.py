from django.urls import path

from samskab.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/laest/", views.notification_read, name="read"),
    path("alle-laest/", views.notifications_read_all, name="read_all"),
    path("indstillinger/", views.preferences, name="settings"),
    path("afmeld/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
