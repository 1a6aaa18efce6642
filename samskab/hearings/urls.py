from django.urls import path

from samskab.hearings import views

app_name = "hearings"

urlpatterns = [
    path("", views.process_list, name="list"),
    path("ny/", views.process_edit, name="create"),
    path("<int:pk>/", views.process_detail, name="process"),
    path("<int:pk>/rediger/", views.process_edit, name="edit"),
    path("<int:pk>/udkast/", views.draft, name="draft"),
    path("<int:pk>/udkast/kommenter/", views.passage_new, name="passage_new"),
    path(
        "<int:pk>/udkast/afsnit/<slug:anchor>/",
        views.paragraph_comments,
        name="paragraph_comments",
    ),
    path("<int:pk>/versioner/", views.versions, name="versions"),
    path("<int:pk>/versioner/ny/", views.version_new, name="version_new"),
    path("<int:pk>/spoergsmaal/", views.question_add, name="question_add"),
    path("<int:pk>/forslag/", views.proposal_create, name="proposal_create"),
    path("<int:pk>/hoeringssvar/", views.answers, name="answers"),
    path("<int:pk>/hoeringssvar/nyt/", views.answer_new, name="answer_new"),
    path("<int:pk>/behandling/", views.casework, name="casework"),
    path("<int:pk>/behandling/tema/", views.theme_add, name="theme_add"),
    path("<int:pk>/behandling/eksport.csv", views.export_csv, name="export_csv"),
    path("<int:pk>/behandling/eksport/", views.export_pdf, name="export_pdf"),
    path("passage/<int:pk>/", views.passage_detail, name="passage"),
    path("forslag/<int:pk>/", views.proposal_detail, name="proposal"),
    path("spoergsmaal/<int:pk>/", views.question_choose, name="question_choose"),
    path("svar/<int:pk>/tag/", views.answer_tag, name="answer_tag"),
    path("tema/<int:pk>/", views.theme_respond, name="theme_respond"),
    path("eksport/<int:pk>/", views.export_download, name="export_download"),
]
