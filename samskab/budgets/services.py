"""Every write in a citizens' budget, each in one transaction and each refusing what its phase
does not allow (the message is for the citizen or staff member)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from samskab.budgets.counting import Completion, Election, Utility, equal_shares, greedy
from samskab.budgets.counting import TieBreaking as CountingTieBreaking
from samskab.budgets.explain import outcome_to_json
from samskab.budgets.models import (
    Ballot,
    BallotConflict,
    BallotLine,
    BallotStyle,
    Budget,
    Heading,
    HeadingResult,
    PaperRule,
    Phase,
    Project,
    ProjectEvent,
    Rule,
    Support,
    TieBreaking,
)
from samskab.budgets.selectors import heading_election


def _lock(user) -> None:
    # Lock the person's row so two writes at once cannot both pass a per-person limit.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


class BudgetRefused(Exception):
    """A write the budget's rules do not allow; the message says why."""


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
                project=project, kind=ProjectEvent.Kind.SUBMITTED, actor=author, notify=False
            )
    except (PlaceRefused, AttachmentRefused) as refusal:
        raise BudgetRefused(refusal.message) from None
    return project


def support_add(*, project: Project, user) -> Support:
    heading = project.heading
    group = heading.group
    _require_phase(
        group.budget, Phase.SELECTING, _("Projects can only be supported in the selecting phase.")
    )
    _require_resident(user)
    if project.status == Project.Status.UNFEASIBLE:
        raise BudgetRefused(_("This project cannot be supported."))
    with transaction.atomic():
        _lock(user)
        if Support.objects.filter(project=project, user=user).exists():
            raise BudgetRefused(_("You already support this project."))
        supported = set(
            Support.objects.filter(user=user, project__heading__group=group).values_list(
                "project__heading_id", flat=True
            )
        )
        if heading.pk not in supported and len(supported) >= group.max_headings_supported:
            raise BudgetRefused(
                _("In “%(group)s” you may support projects in at most %(count)d heading(s).")
                % {"group": group.name, "count": group.max_headings_supported}
            )
        try:
            with transaction.atomic():
                return Support.objects.create(project=project, user=user)
        except IntegrityError:
            raise BudgetRefused(_("You already support this project.")) from None


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

    _require_phase(
        project.heading.group.budget,
        Phase.VALUATING,
        _("Projects are valuated only in the valuating phase."),
    )
    if not (has_role(user, Role.VALUATOR) or has_role(user, Role.ADMINISTRATOR)):
        raise BudgetRefused(_("Only valuators can assess projects."))
    if not feasibility_explanation.strip():
        raise BudgetRefused(_("Explain the assessment of feasibility."))
    if feasible:
        if price is None or price < 0:
            raise BudgetRefused(_("A feasible project needs a price."))
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
                kind=ProjectEvent.Kind.FEASIBILITY,
                note=project.feasibility_explanation,
                actor=user,
                notify=not price_changed,  # one e-mail: the price's tells both
            )
        if price_changed:
            project_event_record(
                project=project,
                kind=ProjectEvent.Kind.PRICE,
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


def ballot_check(heading: Heading, project_ids: Iterable[int]) -> list[Project]:
    """The projects of a ballot in `heading`, refused unless they make a valid ballot there:
    each on this heading's ballot, and within the amount (knapsack style) or at most K projects
    (approval style). Web, paper and API ballots all pass through here."""
    ids = list(dict.fromkeys(int(p) for p in project_ids))
    projects = list(Project.objects.filter(pk__in=ids))
    if len(projects) != len(ids):
        raise BudgetRefused(_("The ballot names a project that does not exist."))
    for project in projects:
        if project.heading_id != heading.pk:
            raise BudgetRefused(
                _("“%(title)s” belongs to another heading.") % {"title": project.title}
            )
        if project.status != Project.Status.ON_BALLOT or project.price is None:
            raise BudgetRefused(_("“%(title)s” is not on the ballot.") % {"title": project.title})
    limit = heading.approval_limit
    if heading.style == BallotStyle.APPROVAL:
        if limit is not None and len(projects) > limit:
            raise BudgetRefused(
                ngettext(
                    "You chose %(chosen)d projects, but you may choose at most %(limit)d project.",
                    "You chose %(chosen)d projects, but you may choose at most %(limit)d projects.",
                    limit,
                )
                % {"chosen": len(projects), "limit": limit}
            )
        return projects
    total = sum(p.price for p in projects)
    if total > heading.amount:
        raise BudgetRefused(
            _("Your choices cost %(total)s, more than the %(amount)s this heading has.")
            % {
                "total": f"{total:,}".replace(",", "."),
                "amount": f"{heading.amount:,}".replace(",", "."),
            }
        )
    return projects


def _check_headings(heading: Heading, existing: QuerySet[Ballot]) -> None:
    group = heading.group
    voted = set(existing.filter(heading__group=group).values_list("heading_id", flat=True))
    if heading.pk not in voted and len(voted) >= group.max_headings_supported:
        raise BudgetRefused(
            _("In “%(group)s” you may vote in at most %(count)d heading(s).")
            % {"group": group.name, "count": group.max_headings_supported}
        )


def _replace_lines(ballot: Ballot, projects: list[Project]) -> None:
    ballot.lines.all().delete()
    BallotLine.objects.bulk_create(BallotLine(ballot=ballot, project=p) for p in projects)


def _log_conflict(heading: Heading, person: str, kept: str, set_aside: Ballot | list, officer):
    if isinstance(set_aside, Ballot):
        set_aside = sorted(set_aside.lines.values_list("project_id", flat=True))
    BallotConflict.objects.create(
        heading=heading, person=person, kept=kept, set_aside=list(set_aside), officer=officer
    )


def ballot_save(*, heading: Heading, user, project_ids: Iterable[int]) -> Ballot | None:
    """Replace the person's ballot in `heading` with these projects (none: withdraw it)."""
    group = heading.group
    budget = group.budget
    _require_phase(budget, Phase.BALLOTING, _("You can only vote while the vote is open."))
    _require_resident(user)
    projects = ballot_check(heading, project_ids)
    person = _person_of(user)
    try:
        return _ballot_replace(heading, user, person, projects)
    except _PaperCounts:
        # Logged outside the refused transaction, so the record stays.
        _log_conflict(heading, person or "", Ballot.Source.PAPER, [p.pk for p in projects], None)
        raise BudgetRefused(
            _(
                "Your paper ballot from the polling station counts in this heading, "
                "so you cannot vote here on the web as well."
            )
        ) from None


class _PaperCounts(Exception):
    pass


@transaction.atomic
def _ballot_replace(heading: Heading, user, person: str | None, projects: list[Project]):
    _lock(user)
    mine = Ballot.objects.filter(Q(user=user) | Q(person=person) if person else Q(user=user))
    if projects:
        _check_headings(heading, mine)
    ballot = mine.select_for_update().filter(heading=heading).first()
    if ballot is not None and ballot.source == Ballot.Source.PAPER:
        if heading.group.budget.paper_rule == PaperRule.PAPER_WINS:
            raise _PaperCounts
        _log_conflict(heading, person or "", Ballot.Source.WEB, ballot, None)
        ballot.source, ballot.entered_by = Ballot.Source.WEB, None
    if not projects:
        if ballot is not None:
            ballot.delete()
        return None
    if ballot is None:
        ballot = Ballot.objects.create(heading=heading, user=user, person=person)
    else:
        ballot.user = user
        ballot.save(update_fields=["updated_at", "source", "entered_by", "user"])
    _replace_lines(ballot, projects)
    return ballot


class PaperOutcome(StrEnum):
    ENTERED = "entered"  # a new paper ballot
    REPLACED_WEB = "replaced_web"  # the person had voted on the web; the paper ballot counts
    WEB_KEPT = "web_kept"  # the person had voted on the web, and the web ballot counts


def paper_ballot_enter(
    *, heading: Heading, officer, identifier: str, project_ids: Iterable[int]
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
    if budget.phase not in (Phase.BALLOTING, Phase.REVIEWING_BALLOTS):
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
    projects = ballot_check(heading, project_ids)
    if not projects:
        raise BudgetRefused(_("A paper ballot must name at least one project."))
    account = (
        ResidenceVerification.objects.filter(identifier_hash=person)
        .values_list("user_id", flat=True)
        .first()
    )
    with transaction.atomic():
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
                _log_conflict(heading, person, Ballot.Source.WEB, [p.pk for p in projects], officer)
                return PaperOutcome.WEB_KEPT
            _log_conflict(heading, person, Ballot.Source.PAPER, ballot, officer)
            ballot.source, ballot.entered_by, ballot.person = Ballot.Source.PAPER, officer, person
            ballot.save(update_fields=["source", "entered_by", "person", "updated_at"])
            _replace_lines(ballot, projects)
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
        _replace_lines(ballot, projects)
    return PaperOutcome.ENTERED


def budget_move(*, budget: Budget, phase: Phase) -> Budget:
    if phase == Phase.FINISHED:
        raise BudgetRefused(_("Finish a budget by counting it."))
    with transaction.atomic():
        budget.phase = phase
        budget.save(update_fields=["phase"])
    return budget


def count(election: Election, rule: str, tie_breaking: str = TieBreaking.COST_VOTES):
    breaking = CountingTieBreaking(tie_breaking)
    if rule == Rule.GREEDY:
        return greedy(election, tie_breaking=breaking)
    return equal_shares(
        election, utility=Utility.COST, completion=Completion.ADD1, tie_breaking=breaking
    )


def budget_finish(*, budget: Budget) -> list[HeadingResult]:
    """Count every heading by the budget's rule, store the results and finish the budget."""
    if budget.phase not in (Phase.BALLOTING, Phase.REVIEWING_BALLOTS):
        raise BudgetRefused(_("A budget can be finished only after its vote."))
    results = []
    with transaction.atomic():
        budget = Budget.objects.select_for_update().get(pk=budget.pk)
        for heading in Heading.objects.filter(group__budget=budget):
            election = heading_election(heading)
            outcome = count(election, budget.rule, budget.tie_breaking)
            result, _created = HeadingResult.objects.update_or_create(
                heading=heading,
                defaults={
                    "rule": budget.rule,
                    "winners": [int(p) for p in outcome.winners],
                    "cost": outcome.cost,
                    "voters": election.voters,
                    "explanation": outcome_to_json(outcome, voters=election.voters),
                },
            )
            ids = [int(p) for p in election.costs]
            winners = [int(p) for p in outcome.winners]
            Project.objects.filter(pk__in=winners).update(status=Project.Status.WINNER)
            Project.objects.filter(pk__in=set(ids) - set(winners)).update(
                status=Project.Status.NOT_WINNER
            )
            _record_results(ids)
            results.append(result)
        budget.phase = Phase.FINISHED
        budget.save(update_fields=["phase"])
    return results


def _record_results(project_ids: Iterable[int]) -> None:
    # Each project's history gets its result, and its author and followers an e-mail.
    from samskab.budgets.process import project_event_record

    for project in Project.objects.filter(pk__in=project_ids):
        project_event_record(project=project, kind=ProjectEvent.Kind.RESULT)


def heading_total(ballot: Ballot) -> int:
    return ballot.lines.aggregate(total=Sum("project__price"))["total"] or 0
