"""API for hearings (filled in below)."""

from ninja import Router

router = Router(tags=["hearings"])
