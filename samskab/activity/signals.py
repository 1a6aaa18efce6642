"""`event_recorded(sender=Event, event=..., target=..., recipients=...)`: sent inside the
transaction that records a step the target's people should hear about (`recipients`: None for
its author and followers, else the (person, language) pairs who alone hear about it). The
notifications app listens (its AppConfig.ready) and queues every notification in the same
transaction; activity itself sends nothing."""

from django.dispatch import Signal

event_recorded = Signal()
