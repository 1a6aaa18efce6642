"""Factories for the streaming tests."""

from samskab.streaming import services
from samskab.streaming.models import Destination


def destination(*, key: str = "", **fields) -> Destination:
    destination = Destination(**fields)
    services.destination_set_key(destination=destination, key=key)
    destination.save()
    return destination
