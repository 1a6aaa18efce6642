"""Statistics: the players' beacon and the staff dashboards, under /statistik/."""

from django.urls import path

from samskab.stats import views, views_beacon

app_name = "stats"

urlpatterns = [
    path("b/", views_beacon.beacon, name="beacon"),
    path("", views.site, name="site"),
    path("moede/<int:pk>/", views.meeting, name="meeting"),
    path("organ/<int:pk>/", views.body, name="body"),
    path("budget/<int:pk>/", views.budget, name="budget"),
]
