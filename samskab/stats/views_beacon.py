"""The ingest endpoint: one small JSON object per beacon, answered with 204 whatever it was.

Cheap on purpose: no session is read (the viewer cookie is a signed value read directly),
no address is looked at or stored, and nothing is written per request (ingest.Buffer)."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from samskab.core.viewer import read_token, viewer_key
from samskab.stats import ingest
from samskab.stats.models import stats_settings

MAX_BODY = 1024


@csrf_exempt  # navigator.sendBeacon sends no CSRF header; the signed ticket stands for it
@require_POST
def beacon(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(status=204)
    response["Cache-Control"] = "no-store"
    try:
        if not stats_settings().enabled:
            ingest.drop("off")
            return response
        body = request.body
        if len(body) > MAX_BODY:
            ingest.drop("malformed")
            return response
        try:
            data = json.loads(body)
        except ValueError:
            ingest.drop("malformed")
            return response
        token = read_token(request)
        ingest.accept(
            data,
            viewer_key=viewer_key(token) if token else None,
            user_agent=request.headers.get("user-agent", "")[:300],
        )
    except Exception:  # statistics never break anything: the player does not even look
        ingest.logger.exception("Statistics beacon failed")
    return response
