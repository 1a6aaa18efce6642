"""Writes around a project's life: staff decisions, the public history, and the e-mails that
tell the author and followers what changed. Pictures and documents are the attachments
app's, the place the places app's.

Each write runs in one transaction; e-mails leave after it commits.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import cast

from django.db import transaction
from django.utils.translation import gettext as _

from samskab.accounts.roles import Role, has_role
from samskab.activity.models import Event
from samskab.activity.services import event_record
from samskab.budgets.models import (
    BallotStyle,
    Budget,
    BudgetPhase,
    Phase,
    Project,
    ProjectEventKind,
)
from samskab.budgets.selectors import money
from samskab.budgets.services import BudgetRefused, budget_move

logger = logging.getLogger(__name__)

BALLOT_PHASES = (Phase.VALUATING, Phase.PUBLISHING_PRICES)


def is_project_staff(user) -> bool:
    return any(has_role(user, r) for r in (Role.VALUATOR, Role.EDITOR, Role.ADMINISTRATOR))


def is_budget_editor(user) -> bool:
    return has_role(user, Role.EDITOR) or has_role(user, Role.ADMINISTRATOR)


# --- staff decisions ---------------------------------------------------------------------


def project_ballot_mark(*, project: Project, user, on_ballot: bool) -> Project:
    """Put a feasible, priced project on the ballot, or take it off again."""
    budget = project.heading.group.budget
    if not is_project_staff(user):
        raise BudgetRefused(_("Only valuators and editors decide what goes on the ballot."))
    if budget.phase not in BALLOT_PHASES:
        raise BudgetRefused(
            _("The ballot is decided while projects are valuated and prices published.")
        )
    if on_ballot:
        if project.status not in (Project.Status.FEASIBLE, Project.Status.ON_BALLOT):
            raise BudgetRefused(
                _("“%(title)s” must be assessed as feasible before it goes on the ballot.")
                % {"title": project.title}
            )
        if project.price is None:
            raise BudgetRefused(_("“%(title)s” has no price.") % {"title": project.title})
        heading = project.heading
        if heading.style == BallotStyle.KNAPSACK and project.price > heading.amount:
            # Nobody could choose it on a ballot within the amount (staff walk, finding 26).
            raise BudgetRefused(
                _("“%(title)s” costs more than the %(amount)s of “%(heading)s”.")
                % {
                    "title": project.title,
                    "amount": money(heading.amount, heading.group.budget.currency),
                    "heading": heading.name,
                }
            )
    wanted = Project.Status.ON_BALLOT if on_ballot else Project.Status.FEASIBLE
    if project.status == wanted:
        return project
    if not on_ballot and project.status != Project.Status.ON_BALLOT:
        return project
    with transaction.atomic():
        project.status = wanted
        project.save(update_fields=["status"])
        project_event_record(project=project, kind=ProjectEventKind.BALLOT, actor=user)
    return project


@dataclass(frozen=True)
class PhaseDates:
    starts_on: date | None
    ends_on: date | None
    description: str


def budget_phases_save(
    *, budget: Budget, user, phase: Phase, rows: Mapping[str, PhaseDates]
) -> Budget:
    """Staff move the budget to `phase` and set every phase's dates and description."""
    if not is_budget_editor(user):
        raise BudgetRefused(_("Only editors can move a budget between phases."))
    for value, row in rows.items():
        if row.starts_on and row.ends_on and row.ends_on < row.starts_on:
            raise BudgetRefused(
                _("“%(phase)s” ends before it starts.") % {"phase": Phase(value).label}
            )
    with transaction.atomic():
        for value, row in rows.items():
            BudgetPhase.objects.update_or_create(
                budget=budget,
                phase=value,
                defaults={
                    "starts_on": row.starts_on,
                    "ends_on": row.ends_on,
                    "description": row.description.strip(),
                },
            )
        if phase != budget.phase:
            budget_move(budget=budget, phase=phase)
    return budget


# --- history and e-mail ------------------------------------------------------------------


def project_event_record(
    *, project: Project, kind: ProjectEventKind, note: str = "", actor=None, notify: bool = True
) -> Event:
    """Add a step to the project's public history (activity.Event, with the project's status
    after it); with `notify`, its author and followers are told (the notifications app)."""
    return event_record(
        target=project, kind=kind, note=note, actor=actor, notify=notify, status=project.status
    )


def project_change_record(
    *, project: Project, status: str, feasibility_explanation: str, price: int | None, actor
) -> list[Event]:
    """History and e-mails for a project changed outside the staff pages (the Django admin),
    given what it was before: the same entries the staff pages would have written.

    A new assessment is a feasibility entry, a new price a price entry (one e-mail when both
    change: the price's), going on or off the ballot a ballot entry, a winner or not a result
    entry, and any other new status a plain status entry.
    """
    events = []
    Status, Kind = Project.Status, ProjectEventKind
    price_changed = project.price is not None and project.price != price
    if project.status != status:
        if project.status == Status.ON_BALLOT or status == Status.ON_BALLOT:
            kind = Kind.BALLOT
        elif project.status in (Status.FEASIBLE, Status.UNFEASIBLE):
            kind = Kind.FEASIBILITY
        elif project.status in (Status.WINNER, Status.NOT_WINNER):
            kind = Kind.RESULT
        else:
            kind = Kind.STATUS
        note = project.feasibility_explanation if kind == Kind.FEASIBILITY else ""
        events.append(
            project_event_record(
                project=project,
                kind=kind,
                note=note,
                actor=actor,
                notify=not (price_changed and kind == Kind.FEASIBILITY),
            )
        )
    elif project.feasibility_explanation != feasibility_explanation and project.status in (
        Status.FEASIBLE,
        Status.UNFEASIBLE,
    ):
        events.append(
            project_event_record(
                project=project,
                kind=Kind.FEASIBILITY,
                note=project.feasibility_explanation,
                actor=actor,
                notify=not price_changed,
            )
        )
    if price_changed:
        events.append(
            project_event_record(
                project=project, kind=Kind.PRICE, note=project.price_explanation, actor=actor
            )
        )
    return events


def _project(event: Event) -> Project:
    """The project a step of budgets' history is about (the event's generic target)."""
    return cast("Project", event.target)


def _status(event: Event) -> str:
    """The project's status right after the step (its current one for old entries)."""
    return event.status or _project(event).status


def _subject(event: Event) -> str:
    project = _project(event)
    title = project.title
    status = _status(event)
    if event.kind == ProjectEventKind.FEASIBILITY:
        if status == Project.Status.UNFEASIBLE:
            return _("Your project “%(title)s” cannot be carried out") % {"title": title}
        return _("Your project “%(title)s” can be carried out") % {"title": title}
    if event.kind == ProjectEventKind.PRICE:
        return _("The price of “%(title)s” is set") % {"title": title}
    if event.kind == ProjectEventKind.BALLOT:
        if status == Project.Status.ON_BALLOT:
            return _("“%(title)s” is on the ballot") % {"title": title}
        return _("“%(title)s” is no longer on the ballot") % {"title": title}
    if event.kind == ProjectEventKind.RESULT:
        if status == Project.Status.WINNER:
            return _("“%(title)s” won the vote") % {"title": title}
        return _("“%(title)s” was not funded") % {"title": title}
    return _("News about “%(title)s”") % {"title": title}


def _headline(event: Event) -> str:
    project = _project(event)
    status = _status(event)
    if event.kind == ProjectEventKind.FEASIBILITY:
        if status == Project.Status.UNFEASIBLE:
            return _(
                "The municipality has assessed the project and found that it cannot be carried out."
            )
        return _("The municipality has assessed the project and found that it can be carried out.")
    if event.kind == ProjectEventKind.PRICE:
        return _(
            "The municipality has assessed the project: it can be carried out, and its "
            "price is %(price)s."
        ) % {"price": money(project.price or 0, project.heading.group.budget.currency)}
    if event.kind == ProjectEventKind.BALLOT:
        if status == Project.Status.ON_BALLOT:
            return _("The project is on the ballot. Citizens can vote for it when the vote opens.")
        return _("The project has been taken off the ballot.")
    if event.kind == ProjectEventKind.RESULT:
        if status == Project.Status.WINNER:
            return _(
                "The vote is counted, and the project won. The municipality will carry it out."
            )
        return _("The vote is counted, and the project did not get enough votes to be funded.")
    return _("The project has news.")


def _mail_context(event: Event) -> dict:
    """What budgets/email/event.{txt,html} show besides the headline."""
    project = _project(event)
    return {
        "project": project,
        "budget": project.heading.group.budget,
        "feasibility": project.feasibility_explanation
        if event.kind in (ProjectEventKind.FEASIBILITY, ProjectEventKind.PRICE)
        else "",
        "price_explanation": project.price_explanation
        if event.kind == ProjectEventKind.PRICE
        else "",
    }


def register_kinds() -> None:
    """The project's history kinds, for activity and the notification settings."""
    from samskab.activity import kinds

    for kind in ProjectEventKind:
        kinds.register(
            Project,
            kind.value,
            title=_project_kind_title(kind),
            subject=_subject,
            headline=_headline,
            template="budgets/email/event",
            context=_mail_context,
        )


def _project_kind_title(kind: ProjectEventKind):
    from django.utils.text import format_lazy
    from django.utils.translation import gettext_lazy

    return format_lazy(gettext_lazy("Projects: {kind}"), kind=kind.label)
