"""`event_recorded(sender=Event, event=...)`: sent inside the transaction that records a step
the target's people should hear about. The notifications app listens (its AppConfig.ready)
and queues every notification in the same transaction; activity itself sends nothing."""

from django.dispatch import Signal

event_recorded = Signal()
