"""Valuation as CONSUL runs it: editors assign valuators to projects, each valuator works
through their own list before the deadline (the end of the valuating phase), and staff keep
internal notes on a project that citizens never see. The assessment itself is
services.project_valuate; who may do what is rules.py.

The writes (`valuators_assign`, `valuators_remove`, `valuation_note_add`) each run in one
transaction and check what the rules check; the reads follow them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from samskab.accounts.roles import Role
from samskab.activity.models import Event
from samskab.activity.services import event_record
from samskab.budgets.errors import BudgetRefused
from samskab.budgets.models import (
    Budget,
    BudgetPhase,
    Phase,
    Project,
    ValuationNote,
    ValuatorAssignment,
)
from samskab.budgets.rules import assigns_valuators
from samskab.core.text import clean_text

# An assessed project: feasible or not, and whatever followed from that.
ASSESSED = frozenset(
    {
        Project.Status.FEASIBLE,
        Project.Status.UNFEASIBLE,
        Project.Status.ON_BALLOT,
        Project.Status.WINNER,
        Project.Status.NOT_WINNER,
    }
)

# The step told to a valuator when projects are assigned to them: an activity.Event on the
# budget, with the projects' titles as its note, told to the valuator alone (never to the
# budget's followers; the budget has no public history).
ASSIGNED = "valuation_assigned"
UNASSIGNED = "valuation_unassigned"

NOTE_MAX_LENGTH = 5000


class ValuationState(models.TextChoices):
    NOT_STARTED = "not_started", gettext_lazy("Not started")
    # Not assessed yet, but someone has written an internal note on it.
    IN_PROGRESS = "in_progress", gettext_lazy("In progress")
    DONE = "done", gettext_lazy("Done")


def _check_assignment(projects: Sequence[Project], valuator, by) -> None:
    """Refuse what the rule `budgets.assign_valuators` refuses, saying why."""
    if not assigns_valuators.test(by):
        raise BudgetRefused(_("Only editors and administrators assign valuators."))
    if valuator is None or not valuators().filter(pk=valuator.pk).exists():
        raise BudgetRefused(_("Choose a valuator."))
    if not projects:
        raise BudgetRefused(_("Tick the projects the action is for."))
    for project in projects:
        if not by.has_perm("budgets.assign_valuators", project):
            raise BudgetRefused(
                _("Valuators are assigned only until projects are valuated (“%(title)s”).")
                % {"title": project.title}
            )


def _tell_valuator(valuator, projects: list[Project], *, kind: str, by) -> None:
    """One step per budget among `projects` (kind ASSIGNED or UNASSIGNED), told only to
    `valuator`, in their language, by the notifications app (its retries and settings)."""
    per_budget: dict[int, list[Project]] = {}
    for project in projects:
        per_budget.setdefault(project.heading.group.budget_id, []).append(project)
    language = valuator_language(valuator)
    for some in per_budget.values():
        event_record(
            target=some[0].heading.group.budget,
            kind=kind,
            note="\n".join(p.title for p in some),
            actor=by,
            recipients=[(valuator, language)],
        )


def valuators_assign(*, projects: Iterable[Project], valuator, by) -> list[Project]:
    """Ask `valuator` to assess `projects`; returns those newly assigned. The valuator gets
    one e-mail per budget about the new ones, never one for a project they already had."""
    projects = list(projects)
    _check_assignment(projects, valuator, by)
    with transaction.atomic():
        added = [
            project
            for project in projects
            if ValuatorAssignment.objects.get_or_create(
                project=project, valuator=valuator, defaults={"assigned_by": by}
            )[1]
        ]
        _tell_valuator(valuator, added, kind=ASSIGNED, by=by)
    return added


def valuators_remove(*, projects: Iterable[Project], valuator, by) -> int:
    """Take `valuator` off `projects`; returns how many assignments went. The valuator is told
    which, one e-mail per budget (so they do not go on assessing a project someone else now
    has), never about a project they did not have."""
    projects = list(projects)
    _check_assignment(projects, valuator, by)
    with transaction.atomic():
        rows = ValuatorAssignment.objects.select_for_update().filter(
            project__in=projects, valuator=valuator
        )
        had = {row.project_id for row in rows}
        removed, _kinds = rows.delete()
        _tell_valuator(valuator, [p for p in projects if p.pk in had], kind=UNASSIGNED, by=by)
    return removed


def valuation_note_add(*, project: Project, author, text: str, language: str = "") -> ValuationNote:
    """An internal note on the project's assessment, by its valuator, an editor or an
    administrator (rules: budgets.write_valuation_note)."""
    if not author.has_perm("budgets.write_valuation_note", project):
        raise BudgetRefused(
            _("Only the project's valuators, editors and administrators write internal notes.")
        )
    text = clean_text(text).strip()
    if not text:
        raise BudgetRefused(_("Write the note."))
    if len(text) > NOTE_MAX_LENGTH:
        raise BudgetRefused(
            _("A note has at most %(count)d characters.") % {"count": NOTE_MAX_LENGTH}
        )
    return ValuationNote.objects.create(
        project=project, author=author, text=text, language=language[:8]
    )


# --- reads -------------------------------------------------------------------------------


def valuators() -> QuerySet:
    """The people projects can be assigned to: active accounts holding the valuator role."""
    return (
        get_user_model()
        .objects.filter(groups__name=Role.VALUATOR.value, is_active=True, deleted_at__isnull=True)
        .order_by("display_name", "email")
        .distinct()
    )


def valuator_name(user) -> str:
    return f"{user.display_name} ({user.email})" if user.display_name else user.email


def valuator_language(user) -> str:
    """The language to write to a valuator in: the account's own where the accounts app
    keeps one; else the one they last wrote an internal note in; else the one the site last
    wrote to them in (their newest notification); else the site's."""
    from samskab.notifications.models import Notification

    available = {code for code, _name in settings.LANGUAGES}
    candidates = (
        lambda: getattr(user, "language", ""),
        lambda: (
            ValuationNote.objects.filter(author=user)
            .exclude(language="")
            .order_by("-created_at", "-pk")
            .values_list("language", flat=True)
            .first()
        ),
        lambda: (
            Notification.objects.filter(user=user)
            .order_by("-created_at", "-pk")
            .values_list("language", flat=True)
            .first()
        ),
    )
    for candidate in candidates:
        code = (candidate() or "").split("-")[0].lower()
        if code in available:
            return code
    return settings.LANGUAGE_CODE


def valuation_deadline(budget: Budget) -> date | None:
    """The last day of the budget's valuating phase, as its phase dates say."""
    return (
        BudgetPhase.objects.filter(budget=budget, phase=Phase.VALUATING)
        .values_list("ends_on", flat=True)
        .first()
    )


def with_valuation(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Projects with what the staff list shows of their valuation: their valuators
    (`project.valuator_assignments.all()`) and whether a note is written (`has_notes`)."""
    return projects.annotate(
        has_notes=Exists(ValuationNote.objects.filter(project=OuterRef("pk")))
    ).prefetch_related(
        Prefetch(
            "valuator_assignments",
            queryset=ValuatorAssignment.objects.select_related("valuator").order_by(
                "valuator__display_name", "valuator__email"
            ),
        )
    )


def valuation_state(project: Project) -> ValuationState:
    if project.status in ASSESSED:
        return ValuationState.DONE
    has_notes = getattr(project, "has_notes", None)
    if has_notes is None:
        has_notes = project.valuation_notes.exists()
    return ValuationState.IN_PROGRESS if has_notes else ValuationState.NOT_STARTED


def notes_of(project: Project) -> QuerySet[ValuationNote]:
    """A project's internal notes, oldest first (the newest last, as a conversation)."""
    return project.valuation_notes.select_related("author").order_by("created_at", "pk")


def days_until(deadline: date | None, *, today: date | None = None) -> int | None:
    """Days from today to the deadline, negative once it has passed."""
    if deadline is None:
        return None
    return (deadline - (today or timezone.localdate())).days


@dataclass(frozen=True)
class WorkItem:
    """One project on a valuator's list."""

    project: Project
    budget: Budget
    deadline: date | None
    days_left: int | None  # negative when the deadline has passed
    done: bool
    may_assess: bool  # the budget is in its valuating phase

    @property
    def overdue(self) -> bool:
        return not self.done and self.days_left is not None and self.days_left < 0

    @property
    def days_over(self) -> int:
        return -(self.days_left or 0)


def projects_to_assess(user, *, today: date | None = None) -> list[WorkItem]:
    """The projects assigned to `user` in budgets not finished yet: not done first, the
    nearest deadline first."""
    today = today or timezone.localdate()
    projects = list(
        Project.objects.filter(valuator_assignments__valuator=user)
        .exclude(heading__group__budget__phase=Phase.FINISHED)
        .select_related("heading__group__budget")
    )
    budgets = {p.heading.group.budget_id for p in projects}
    deadlines = dict(
        BudgetPhase.objects.filter(budget_id__in=budgets, phase=Phase.VALUATING).values_list(
            "budget_id", "ends_on"
        )
    )
    items = []
    for project in projects:
        budget = project.heading.group.budget
        deadline = deadlines.get(budget.pk)
        items.append(
            WorkItem(
                project=project,
                budget=budget,
                deadline=deadline,
                days_left=days_until(deadline, today=today),
                done=project.status in ASSESSED,
                may_assess=budget.phase == Phase.VALUATING,
            )
        )
    items.sort(
        key=lambda i: (i.done, i.deadline is None, i.deadline or today, i.budget.pk, i.project.pk)
    )
    return items


# --- the valuator's e-mail (activity kind on Budget) -----------------------------------


def _budget(event: Event) -> Budget:
    """The budget the step is on (the event's generic target)."""
    return cast("Budget", event.target)


def _titles(event: Event) -> list[str]:
    return [line for line in event.note.splitlines() if line.strip()]


def _subject(event: Event) -> str:
    if event.kind == UNASSIGNED:
        return _("Projects no longer yours to assess in “%(budget)s”") % {
            "budget": _budget(event).title
        }
    return _("Projects to assess in “%(budget)s”") % {"budget": _budget(event).title}


def _headline(event: Event) -> str:
    count = len(_titles(event))
    if event.kind == UNASSIGNED:
        return ngettext(
            "You no longer need to assess %(count)d project: an editor took you off it.",
            "You no longer need to assess %(count)d projects: an editor took you off them.",
            count,
        ) % {"count": count}
    told = ngettext(
        "You are asked to assess %(count)d project.",
        "You are asked to assess %(count)d projects.",
        count,
    ) % {"count": count}
    deadline = valuation_deadline(_budget(event))
    if deadline is None:
        return told
    due = _("The assessments are due on %(date)s.") % {"date": date_format(deadline, "DATE_FORMAT")}
    return f"{told} {due}"


def _mail_context(event: Event) -> dict:
    site = settings.SITE_URL.rstrip("/")
    budget = _budget(event)
    return {
        "budget": budget,
        "titles": _titles(event),
        "removed": event.kind == UNASSIGNED,
        "work_url": site + reverse("budgets:my_valuations"),
        "staff_url": site + reverse("budgets:staff_projects", args=[budget.pk]),
    }


def register_kind() -> None:
    from samskab.activity import kinds

    kinds.register(
        Budget,
        ASSIGNED,
        title=gettext_lazy("Citizens' budgets: projects assigned to you for assessment"),
        subject=_subject,
        headline=_headline,
        template="budgets/email/assigned",
        context=_mail_context,
        # Told only to the valuators, of a budget that may not be public yet: their list.
        url=lambda event: reverse("budgets:my_valuations"),
    )
    kinds.register(
        Budget,
        UNASSIGNED,
        title=gettext_lazy("Citizens' budgets: projects taken off your list to assess"),
        subject=_subject,
        headline=_headline,
        template="budgets/email/assigned",
        context=_mail_context,
        url=lambda event: reverse("budgets:my_valuations"),
    )
