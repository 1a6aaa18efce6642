from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StreamingConfig(AppConfig):
    name = "samskab.streaming"
    label = "streaming"
    verbose_name = _("Live streaming")

    def ready(self) -> None:
        from samskab.core import demo
        from samskab.streaming.demo import streaming_demo_part

        # After the demo's transaction, beside the demo recording.
        demo.register("streaming", streaming_demo_part, order=60, after_commit=True)

        # The ingest's state per chamber in /metrics (streaming/metrics.py).
        from prometheus_client import REGISTRY

        from samskab.streaming.metrics import collector

        if collector not in REGISTRY._collector_to_names:
            REGISTRY.register(collector)
