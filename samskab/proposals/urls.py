from django.urls import path

from samskab.proposals import views

app_name = "proposals"

urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("arkiv/", views.proposal_archive, name="archive"),
    path("kort/", views.proposal_map, name="map"),
    path("ny/", views.proposal_create, name="create"),
    path("af/<int:user_pk>/", views.author_page, name="author"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/stoet/", views.proposal_support, name="support"),
    path("<int:pk>/traek-tilbage/", views.proposal_retire, name="retire"),
    path("<int:pk>/besked/", views.proposal_message, name="message"),
    path("<int:pk>/besked/<int:message_pk>/skjul/", views.message_hide, name="message_hide"),
    path("<int:pk>/svar/", views.proposal_answer, name="answer"),
    path("<int:pk>/dagsorden/", views.proposal_agenda, name="agenda"),
    path("<int:pk>/afstemning/", views.proposal_vote_start, name="vote_start"),
    path("<int:pk>/skjul/", views.proposal_hide, name="hide"),
    path("<int:pk>/vis/", views.proposal_restore, name="restore"),
]
