"""Presentations for tests, built through the services as an editor would."""

from __future__ import annotations

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory
from samskab.presentations import services
from samskab.presentations.models import Presentation, Step


def editor():
    return StaffFactory(role=Role.EDITOR)


def built(*elements: str, title: str = "Lokalplan", by=None, publish: bool = False) -> Presentation:
    by = by or editor()
    presentation = services.presentation_create(title=title, by=by)
    for element in elements:
        services.step_add(presentation=presentation, element=element, by=by)
    if publish:
        services.presentation_publish(presentation=presentation, by=by)
    presentation.refresh_from_db()
    return presentation


def steps_of(presentation: Presentation) -> list[Step]:
    return list(presentation.steps.order_by("position"))
