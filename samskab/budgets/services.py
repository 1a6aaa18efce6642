"""Every write in a citizens' budget, each in one transaction and each refusing what its phase
does not allow (the message is for the citizen or staff member).

Lock order. Every write that locks rows takes them in this order, and never the other way
round, so two of them can wait for each other but never deadlock:

  0. the budget row (staff writes only: paper ballots, their corrections, publishing a count);
  1. the voter's account row (`_lock`), when the voter has an account;
  2. the voter's ballot rows in the heading (`select_for_update`);
  3. then inserts and updates of ballots and their lines.

Step 1 is what makes a poll officer's paper ballot and the resident's own web ballot, saved at
the same moment, take turns: before this order, the web ballot held the account row and waited
for the paper ballot's new row, while the paper ballot's foreign key check waited for the
account row (a deadlock on PostgreSQL). If the database still gives up on a lock, the person
is told the ballot was saved at the same moment, never shown an error page (`_same_moment`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from samskab.budgets.ballots import Mark, ballot_check, lines_record, marks_record, replace_lines
from samskab.budgets.counting import MAX_AMOUNT
from samskab.budgets.errors import BudgetRefused
from samskab.budgets.models import (
    Ballot,
    BallotConflict,
    Budget,
    Heading,
    PaperBallotChange,
    PaperRule,
    Phase,
    Project,
    ProjectEventKind,
)
from samskab.supports import services as supports_services
from samskab.supports.models import Support

logger = logging.getLogger(__name__)


def _lock(user) -> None:
    # Step 1 of the lock order: the person's row, so two writes at once cannot both pass a
    # per-person limit, and a paper and a web ballot for one person take turns.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


def lock_budget(budget: Budget) -> Budget:
    # Step 0 of the lock order (staff writes only).
    return Budget.objects.select_for_update().get(pk=budget.pk)


def _gave_up_on_a_lock(error: OperationalError) -> bool:
    # PostgreSQL: deadlock_detected (40P01), serialization_failure (40001),
    # lock_not_available (55P03); SQLite: "database is locked" after its busy timeout.
    state = getattr(error.__cause__, "sqlstate", None) or getattr(error.__cause__, "pgcode", None)
    return state in {"40P01", "40001", "55P03"} or "database is locked" in str(error)


@contextmanager
def _same_moment() -> Iterator[None]:
    """Turn a lock the database gave up on into the product's own answer (never a 500)."""
    try:
        yield
    except OperationalError as error:
        if not _gave_up_on_a_lock(error):
            raise
        logger.warning("budgets: a ballot write gave up on a lock: %s", error)
        raise BudgetRefused(
            _("A ballot from this person was saved at the same moment. Try again.")
        ) from None


def check_amount(value: int | None, what: str) -> None:
    """Refuse an amount or price of 10^15 or more (security review L3)."""
    if value is not None and value > MAX_AMOUNT:
        raise BudgetRefused(
            _("%(what)s is too large: at most %(max)s.")
            % {"what": what, "max": f"{MAX_AMOUNT:,}".replace(",", ".")}
        )


def _require_phase(budget: Budget, phase: Phase, message: str) -> None:
    if budget.phase != phase:
        raise BudgetRefused(message)


def _require_resident(user) -> None:
    if not (user.is_authenticated and user.is_active and user.is_resident_verified):
        raise BudgetRefused(_("Only verified residents of the municipality can take part."))


def project_submit(
    *,
    heading: Heading,
    author,
    title: str,
    description: str,
    latitude: float | None = None,
    longitude: float | None = None,
    location_description: str = "",
    language: str = "",
    images: Iterable[tuple[ContentFile, str]] = (),
    documents: Iterable[tuple[ContentFile, str]] = (),
) -> Project:
    """A citizen's proposal, with its place (places) and checked pictures and documents
    (attachments). A point must lie in the heading's area."""
    from samskab.attachments.services import AttachmentRefused, document_add, image_add
    from samskab.budgets import process
    from samskab.budgets.maps import heading_area
    from samskab.places.services import PlaceRefused, place_set

    budget = heading.group.budget
    _require_phase(
        budget, Phase.ACCEPTING, _("Projects can only be submitted while they are being accepted.")
    )
    if not (author.is_authenticated and author.is_active):
        raise BudgetRefused(_("Sign in to submit a project."))
    try:
        with transaction.atomic():
            project = Project.objects.create(
                heading=heading,
                author=author,
                title=title.strip(),
                description=description.strip(),
                language=language,
            )
            place_set(
                target=project,
                user=author,
                latitude=latitude,
                longitude=longitude,
                address=location_description,
                within=heading_area(heading),
                within_name=heading.name,
            )
            for image, alt in images:
                image_add(target=project, user=author, image=image, alt=alt)
            for document, name in documents:
                document_add(target=project, user=author, document=document, title=name)
            process.project_event_record(
                project=project, kind=ProjectEventKind.SUBMITTED, actor=author, notify=False
            )
    except (PlaceRefused, AttachmentRefused) as refusal:
        raise BudgetRefused(refusal.message) from None
    return project


def project_support_limit(user, project: Project) -> str:
    """The supports app's limit hook for projects: in each group a person supports projects
    in at most `max_headings_supported` headings (any number within one heading). Asked
    with the person's row locked, so two supports at once cannot both pass."""
    heading = project.heading
    group = heading.group
    supported = set(
        Support.objects.filter(user=user, project__heading__group=group).values_list(
            "project__heading", flat=True
        )
    )
    if heading.pk not in supported and len(supported) >= group.max_headings_supported:
        return _("In “%(group)s” you may support projects in at most %(count)d heading(s).") % {
            "group": group.name,
            "count": group.max_headings_supported,
        }
    return ""


def support_add(*, project: Project, user) -> Support:
    """A resident supports a project, through the supports app (one per person, the
    counter, the limit per group); this says first, in budget words, why not."""
    _require_phase(
        project.heading.group.budget,
        Phase.SELECTING,
        _("Projects can only be supported in the selecting phase."),
    )
    _require_resident(user)
    if project.status == Project.Status.UNFEASIBLE:
        raise BudgetRefused(_("This project cannot be supported."))
    try:
        return supports_services.support_add(target=project, user=user)
    except supports_services.SupportRefused as refusal:
        if Support.objects.filter(project=project, user=user).exists():
            raise BudgetRefused(_("You already support this project.")) from None
        raise BudgetRefused(refusal.message) from None


def project_valuate(
    *,
    project: Project,
    user,
    feasible: bool,
    feasibility_explanation: str,
    price: int | None = None,
    price_explanation: str = "",
) -> Project:
    from samskab.accounts.roles import Role, has_role
    from samskab.budgets.rules import is_assigned_valuator

    _require_phase(
        project.heading.group.budget,
        Phase.VALUATING,
        _("Projects are valuated only in the valuating phase."),
    )
    # A valuator assesses the projects an editor assigned to them (valuation.py).
    if not (has_role(user, Role.ADMINISTRATOR) or is_assigned_valuator(user, project)):
        raise BudgetRefused(
            _("Only the valuators asked to assess this project, and administrators, can assess it.")
        )
    if not feasibility_explanation.strip():
        raise BudgetRefused(_("Explain the assessment of feasibility."))
    if feasible:
        if price is None or price < 0:
            raise BudgetRefused(_("A feasible project needs a price."))
        check_amount(price, _("The price"))
        if not price_explanation.strip():
            raise BudgetRefused(_("Explain the price."))
    from samskab.budgets.process import project_event_record

    with transaction.atomic():
        before = (project.status, project.feasibility_explanation, project.price)
        project.status = Project.Status.FEASIBLE if feasible else Project.Status.UNFEASIBLE
        project.feasibility_explanation = feasibility_explanation.strip()
        project.price = price if feasible else None
        project.price_explanation = price_explanation.strip() if feasible else ""
        project.save(
            update_fields=["status", "feasibility_explanation", "price", "price_explanation"]
        )
        # The history (and the e-mail) tells what changed: the assessment, the price, or both.
        price_changed = feasible and before[2] != project.price
        if before[:2] != (project.status, project.feasibility_explanation):
            project_event_record(
                project=project,
                kind=ProjectEventKind.FEASIBILITY,
                note=project.feasibility_explanation,
                actor=user,
                notify=not price_changed,  # one e-mail: the price's tells both
            )
        if price_changed:
            project_event_record(
                project=project,
                kind=ProjectEventKind.PRICE,
                note=project.price_explanation,
                actor=user,
            )
    return project


def _person_of(user) -> str | None:
    """The census hash of a verified resident's account (None if it has no census record)."""
    from samskab.accounts.models import ResidenceVerification

    return (
        ResidenceVerification.objects.filter(user=user)
        .values_list("identifier_hash", flat=True)
        .first()
    )


def _check_headings(heading: Heading, existing: QuerySet[Ballot]) -> None:
    group = heading.group
    voted = set(existing.filter(heading__group=group).values_list("heading_id", flat=True))
    if heading.pk not in voted and len(voted) >= group.max_headings_supported:
        raise BudgetRefused(
            _("In “%(group)s” you may vote in at most %(count)d heading(s).")
            % {"group": group.name, "count": group.max_headings_supported}
        )


def _log_conflict(heading: Heading, person: str, kept: str, set_aside: Ballot | list, officer):
    if isinstance(set_aside, Ballot):
        set_aside = lines_record(set_aside)
    BallotConflict.objects.create(
        heading=heading, person=person, kept=kept, set_aside=list(set_aside), officer=officer
    )


def ballot_save(
    *,
    heading: Heading,
    user,
    project_ids: Iterable[int] = (),
    points: Mapping[int, int] | None = None,
) -> Ballot | None:
    """Replace the person's ballot in `heading` with these projects (none: withdraw it): a
    ranking best first on a ranked ballot, each project's `points` on a cumulative one."""
    group = heading.group
    budget = group.budget
    _require_phase(budget, Phase.BALLOTING, _("You can only vote while the vote is open."))
    _require_resident(user)
    marks = ballot_check(heading, project_ids, points=points)
    person = _person_of(user)
    try:
        with _same_moment():
            return _ballot_replace(heading, user, person, marks)
    except _PaperCounts:
        # Logged outside the refused transaction, so the record stays.
        _log_conflict(heading, person or "", Ballot.Source.PAPER, marks_record(marks), None)
        raise BudgetRefused(
            _(
                "Your paper ballot from the polling station counts in this heading, "
                "so you cannot vote here on the web as well."
            )
        ) from None


class _PaperCounts(Exception):
    pass


@transaction.atomic
def _ballot_replace(heading: Heading, user, person: str | None, marks: list[Mark]):
    _lock(user)
    mine = Ballot.objects.filter(Q(user=user) | Q(person=person) if person else Q(user=user))
    if marks:
        _check_headings(heading, mine)
    ballot = mine.select_for_update().filter(heading=heading).first()
    if ballot is not None and ballot.source == Ballot.Source.PAPER:
        if heading.group.budget.paper_rule == PaperRule.PAPER_WINS:
            raise _PaperCounts
        _log_conflict(heading, person or "", Ballot.Source.WEB, ballot, None)
        ballot.source, ballot.entered_by = Ballot.Source.WEB, None
    if not marks:
        if ballot is not None:
            ballot.delete()
        return None
    if ballot is None:
        ballot = Ballot.objects.create(heading=heading, user=user, person=person)
    else:
        ballot.user = user
        ballot.save(update_fields=["updated_at", "source", "entered_by", "user"])
    replace_lines(ballot, marks)
    return ballot


PAPER_PHASES = (Phase.BALLOTING, Phase.REVIEWING_BALLOTS)


class PaperOutcome(StrEnum):
    ENTERED = "entered"  # a new paper ballot
    REPLACED_WEB = "replaced_web"  # the person had voted on the web; the paper ballot counts
    WEB_KEPT = "web_kept"  # the person had voted on the web, and the web ballot counts


def paper_ballot_enter(
    *,
    heading: Heading,
    officer,
    identifier: str,
    project_ids: Iterable[int] = (),
    points: Mapping[int, int] | None = None,
) -> PaperOutcome:
    """A poll officer enters a paper ballot cast in person, for the resident whose census
    identifier the officer typed (looked up by its keyed hash; never stored readable)."""
    from django.conf import settings

    from samskab.accounts.census import hash_identifier
    from samskab.accounts.models import CensusRecord, ResidenceVerification
    from samskab.accounts.roles import Role, has_role

    budget = heading.group.budget
    if not (has_role(officer, Role.POLL_OFFICER) or has_role(officer, Role.ADMINISTRATOR)):
        raise BudgetRefused(_("Only poll officers can enter paper ballots."))
    if budget.phase not in PAPER_PHASES:
        raise BudgetRefused(
            _("Paper ballots can be entered only during the vote and while ballots are reviewed.")
        )
    if not identifier.strip():
        raise BudgetRefused(_("Type the voter's identifier."))
    person = hash_identifier(identifier, pepper=settings.CENSUS_PEPPER)
    if not CensusRecord.objects.filter(identifier_hash=person).exists():
        raise BudgetRefused(
            _("Nobody with this identifier is in the census. Check the number and try again.")
        )
    marks = ballot_check(heading, project_ids, points=points, paper=True)
    if not marks:
        raise BudgetRefused(_("A paper ballot must name at least one project."))
    account = (
        ResidenceVerification.objects.filter(identifier_hash=person)
        .values_list("user_id", flat=True)
        .first()
    )
    with _same_moment(), transaction.atomic():
        if lock_budget(budget).phase not in PAPER_PHASES:  # a count may have been published
            raise BudgetRefused(_("The results are published; no more ballots can be entered."))
        if account:
            _lock(get_user_model()(pk=account))
        theirs = Ballot.objects.filter(
            Q(person=person) | Q(user_id=account) if account else Q(person=person)
        )
        _check_headings(heading, theirs)
        ballot = theirs.select_for_update().filter(heading=heading).first()
        if ballot is not None and ballot.source == Ballot.Source.PAPER:
            raise BudgetRefused(
                _("A paper ballot from this person is already entered in this heading.")
            )
        if ballot is not None:
            if budget.paper_rule == PaperRule.WEB_WINS:
                _log_conflict(heading, person, Ballot.Source.WEB, marks_record(marks), officer)
                return PaperOutcome.WEB_KEPT
            _log_conflict(heading, person, Ballot.Source.PAPER, ballot, officer)
            ballot.source, ballot.entered_by, ballot.person = Ballot.Source.PAPER, officer, person
            ballot.save(update_fields=["source", "entered_by", "person", "updated_at"])
            replace_lines(ballot, marks)
            return PaperOutcome.REPLACED_WEB
        try:
            with transaction.atomic():
                ballot = Ballot.objects.create(
                    heading=heading,
                    user_id=account,
                    person=person,
                    source=Ballot.Source.PAPER,
                    entered_by=officer,
                )
        except IntegrityError:
            raise BudgetRefused(
                _("A ballot from this person was saved at the same moment. Try again.")
            ) from None
        replace_lines(ballot, marks)
    return PaperOutcome.ENTERED


def _paper_ballot_checks(ballot: Ballot, officer, reason: str) -> None:
    from samskab.accounts.roles import Role, has_role

    if ballot.source != Ballot.Source.PAPER:
        raise BudgetRefused(_("Only paper ballots can be corrected or voided here."))
    is_admin = has_role(officer, Role.ADMINISTRATOR)
    if not (
        is_admin or (has_role(officer, Role.POLL_OFFICER) and ballot.entered_by_id == officer.pk)
    ):
        raise BudgetRefused(
            _(
                "Only the poll officer who entered a paper ballot, or an administrator, "
                "can change it."
            )
        )
    if ballot.heading.group.budget.phase not in PAPER_PHASES:
        raise BudgetRefused(
            _("Paper ballots can be changed only during the vote and while ballots are reviewed.")
        )
    if not reason.strip():
        raise BudgetRefused(_("Give the reason for the change."))


@contextmanager
def _paper_ballot_locked(ballot: Ballot) -> Iterator[Ballot]:
    """The ballot, locked in the lock order (budget, account, ballot), in a transaction."""
    with _same_moment(), transaction.atomic():
        if lock_budget(ballot.heading.group.budget).phase not in PAPER_PHASES:
            raise BudgetRefused(_("The results are published; ballots can no longer be changed."))
        if ballot.user_id:
            _lock(get_user_model()(pk=ballot.user_id))
        locked = Ballot.objects.select_for_update().filter(pk=ballot.pk).first()
        if locked is None or locked.source != Ballot.Source.PAPER:
            raise BudgetRefused(_("This ballot was changed or voided meanwhile. Look it up again."))
        yield locked


def paper_ballot_correct(
    *,
    ballot: Ballot,
    officer,
    project_ids: Iterable[int] = (),
    points: Mapping[int, int] | None = None,
    reason: str,
) -> Ballot:
    """Correct a mistyped paper ballot: its projects (their points, their ranking) are
    replaced, and the change is logged with the reason, what it said before and who changed
    it."""
    _paper_ballot_checks(ballot, officer, reason)
    heading = ballot.heading
    marks = ballot_check(heading, project_ids, points=points, paper=True)
    if not marks:
        raise BudgetRefused(
            _("A paper ballot must name at least one project. To remove it, void it.")
        )
    with _paper_ballot_locked(ballot) as locked:
        before = lines_record(locked)
        after = marks_record(marks)
        if before == after:
            raise BudgetRefused(_("The ballot already says this; nothing was changed."))
        replace_lines(locked, marks)
        locked.save(update_fields=["updated_at"])
        PaperBallotChange.objects.create(
            heading=heading,
            ballot_number=locked.pk,
            kind=PaperBallotChange.Kind.CORRECTED,
            before=before,
            after=after,
            reason=reason.strip(),
            entered_by_id=locked.entered_by_id,
            changed_by=officer,
        )
    return locked


def paper_ballot_void(*, ballot: Ballot, officer, reason: str) -> PaperBallotChange:
    """Void a paper ballot entered by mistake: it is deleted, so it is not counted and the
    person may vote again, and the log keeps what it said, the reason and who voided it."""
    _paper_ballot_checks(ballot, officer, reason)
    with _paper_ballot_locked(ballot) as locked:
        change = PaperBallotChange.objects.create(
            heading=ballot.heading,
            ballot_number=locked.pk,
            kind=PaperBallotChange.Kind.VOIDED,
            before=lines_record(locked),
            after=[],
            reason=reason.strip(),
            entered_by_id=locked.entered_by_id,
            changed_by=officer,
        )
        locked.delete()
    return change


def budget_move(*, budget: Budget, phase: Phase) -> Budget:
    if phase == Phase.FINISHED:
        raise BudgetRefused(_("Finish a budget by counting it."))
    with transaction.atomic():
        budget = lock_budget(budget)
        if budget.phase == Phase.FINISHED and phase != Phase.FINISHED:
            raise BudgetRefused(_("The results are published; the budget cannot be reopened."))
        budget.phase = phase
        budget.save(update_fields=["phase"])
    return budget


def heading_total(ballot: Ballot) -> int:
    return ballot.lines.aggregate(total=Sum("project__price"))["total"] or 0
