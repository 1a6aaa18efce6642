"""Addresses of a meeting's recording and clips, under /moeder/<id>/ like the player."""

from django.urls import path

from samskab.recordings import views

app_name = "recordings"

urlpatterns = [
    path("<int:pk>/optagelse/", views.recording, name="recording"),
    path("<int:pk>/optagelse/status/", views.recording_progress, name="progress"),
    path("<int:pk>/optagelse/overfoer/", views.recording_upload, name="upload"),
    path("<int:pk>/optagelse/skjul/", views.recording_hide, name="hide"),
    path(
        "<int:pk>/optagelse/overfoersel/<int:upload_pk>/igen/",
        views.upload_again,
        name="upload_again",
    ),
    path("<int:pk>/optagelse/vis/", views.recording_show, name="show"),
    path("<int:pk>/optagelse/opbevaring/", views.recording_retention, name="retention"),
    path("<int:pk>/optagelse/fjern-udsnit/", views.recording_redact, name="redact"),
    path("<int:pk>/klip/ny/", views.clip_new, name="clip_new"),
    path("<int:pk>/klip/<int:clip_pk>/", views.clip, name="clip"),
    path("<int:pk>/klip/<int:clip_pk>/klip.m3u8", views.clip_playlist, name="clip_playlist"),
    path("<int:pk>/klip/<int:clip_pk>/hent/", views.clip_download, name="clip_download"),
    path("<int:pk>/klip/<int:clip_pk>/klip-igen/", views.clip_recut, name="clip_recut"),
]
