from django.urls import path

from samskab.debates import views

app_name = "debates"

urlpatterns = [
    path("", views.debate_list, name="list"),
    path("ny/", views.debate_create, name="create"),
    path("<int:pk>/", views.debate_detail, name="detail"),
    path("<int:pk>/stem/", views.debate_vote, name="vote"),
    path("<int:pk>/fremhaev/", views.debate_feature, name="feature"),
    path("<int:pk>/luk/", views.debate_close, name="close"),
    path("<int:pk>/genaabn/", views.debate_reopen, name="reopen"),
    path("<int:pk>/skjul/", views.debate_hide, name="hide"),
    path("<int:pk>/vis/", views.debate_restore, name="restore"),
]
