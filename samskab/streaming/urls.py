from django.urls import path

from samskab.streaming import views

app_name = "streaming"

urlpatterns = [
    path("<int:pk>/", views.console_streaming, name="console"),
    path("<int:pk>/noegle/", views.stream_key_show, name="stream_key_show"),
    path("<int:pk>/ny-noegle/", views.stream_key_new, name="stream_key_new"),
    path("<int:pk>/optagelse/", views.recording_choice, name="recording_choice"),
]
