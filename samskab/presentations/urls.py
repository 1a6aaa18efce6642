"""Presentations under /praesentationer/: the player for everyone, the builder for staff."""

from django.urls import path

from samskab.presentations import views

app_name = "presentations"

urlpatterns = [
    path("", views.public_list, name="list"),
    path("personale/", views.staff_list, name="staff_list"),
    path("personale/importer/", views.import_package, name="import"),
    path("personale/videoer/", views.video_upload, name="video_upload"),
    path("personale/videoer/<int:pk>/undertekster/", views.video_captions, name="video_captions"),
    path("personale/<int:pk>/", views.builder, name="builder"),
    path("personale/<int:pk>/rediger/", views.presentation_edit, name="edit"),
    path("personale/<int:pk>/trin/tilfoej/", views.step_add, name="step_add"),
    path("personale/<int:pk>/trin/klip/", views.clip_make, name="clip_make"),
    path("personale/<int:pk>/trin/<str:key>/", views.step_edit, name="step_edit"),
    path("personale/<int:pk>/trin/<str:key>/flyt/", views.step_move, name="step_move"),
    path("personale/<int:pk>/trin/<str:key>/fjern/", views.step_remove, name="step_remove"),
    path("personale/<int:pk>/raekkefoelge/", views.steps_reorder, name="reorder"),
    path("personale/<int:pk>/udgiv/", views.publish, name="publish"),
    path("personale/<int:pk>/versioner/", views.versions, name="versions"),
    path("personale/<int:pk>/resultater/", views.results, name="results"),
    path("personale/<int:pk>/resultater.csv", views.results_csv, name="results_csv"),
    path("personale/<int:pk>/eksport/", views.export_package, name="export"),
    path("oembed/", views.oembed, name="oembed"),
    path("<slug:slug>/", views.play, name="play"),
    path("<slug:slug>/start/", views.start, name="start"),
    path("<slug:slug>/indlejr/", views.embed, name="embed"),
    path("<slug:slug>/slut/", views.end, name="end"),
    path("<slug:slug>/trin/<str:key>/", views.step, name="step"),
    path(
        "<slug:slug>/trin/<str:key>/undertekster/<str:language>.vtt",
        views.captions,
        name="captions",
    ),
]
