"""A button's write on a page, shared by the capabilities (debates' and proposals' staff and
author buttons): do it, then go back to the object's page saying what happened."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def act_and_return(
    request: HttpRequest,
    obj: Any,
    action: Callable[[Any], str],
    *,
    refused: type[Exception],
) -> HttpResponse:
    """`action(obj)` returns the success message; a `refused` exception carries `.message`
    (nothing was written: services refuse before their transaction)."""
    try:
        message = action(obj)
    except refused as refusal:
        messages.error(request, getattr(refusal, "message", str(refusal)))
    else:
        messages.success(request, message)
    return redirect(obj)
