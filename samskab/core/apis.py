"""The API's routers, registered by each app from its AppConfig.ready; `api/api.py` mounts
them under /api/. A new capability adds its router without editing the api app:

    apis.register("/v1/", router, order=40)
"""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Mount:
    prefix: str
    router: Any  # a ninja.Router
    order: int


_mounts: dict[int, Mount] = {}


def register(prefix: str, router: Any, *, order: int) -> None:
    # Keyed by the router, so a second registration (tests re-running ready) is one.
    _mounts[id(router)] = Mount(prefix, router, order)


def mounts() -> list[Mount]:
    return sorted(_mounts.values(), key=lambda mount: mount.order)
