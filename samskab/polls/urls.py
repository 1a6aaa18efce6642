from django.urls import path

from samskab.polls import views

app_name = "polls"

urlpatterns = [
    path("", views.poll_list, name="list"),
    path("<int:pk>/", views.poll_detail, name="detail"),
    path("<int:pk>/boks/", views.poll_box, name="box"),
    path("<int:pk>/resultat/", views.staff_results, name="staff_results"),
    path("<int:pk>/stem/", views.vote, name="vote"),
    path("<int:pk>/aabn/", views.operate_open, name="open"),
    path("<int:pk>/luk/", views.operate_close, name="close"),
    path("moede/<int:meeting_pk>/ny/", views.operate_quick, name="quick"),
]
