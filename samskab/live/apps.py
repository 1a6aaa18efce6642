from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "samskab.live"
    label = "live"
