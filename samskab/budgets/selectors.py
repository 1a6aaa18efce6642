"""Reads for citizens' budgets, and the plain-language account of a stored result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from samskab.accounts.identity import stricter
from samskab.accounts.models import ResidenceVerification
from samskab.budgets.counting import Election
from samskab.budgets.counting.scored import ScoredElection, borda
from samskab.budgets.models import (
    Ballot,
    BallotLine,
    BallotStyle,
    Budget,
    Heading,
    HeadingResult,
    Phase,
    Project,
)
from samskab.supports.models import Support


def budgets_public() -> QuerySet[Budget]:
    return Budget.objects.filter(is_published=True)


def heading_projects(heading: Heading) -> QuerySet[Project]:
    projects = heading.projects.annotate(support_count=Count("supports"))
    if heading.group.budget.phase in (Phase.BALLOTING, Phase.REVIEWING_BALLOTS):
        projects = projects.filter(status=Project.Status.ON_BALLOT)
    return projects


def ballot_projects(heading: Heading) -> QuerySet[Project]:
    return heading.projects.filter(status=Project.Status.ON_BALLOT).exclude(price=None)


def ballot_of(heading: Heading, user) -> Ballot | None:
    """The person's ballot in `heading`: cast on the web, or on paper under their census
    identity (a paper ballot entered before the account was verified has no user)."""
    if not user.is_authenticated:
        return None
    mine = Q(user=user)
    person = (
        ResidenceVerification.objects.filter(user=user)
        .values_list("identifier_hash", flat=True)
        .first()
    )
    if person:
        mine |= Q(person=person)
    return Ballot.objects.filter(mine, heading=heading).first()


def ballot_choice(heading: Heading, user) -> set[int]:
    ballot = ballot_of(heading, user)
    return set(ballot.lines.values_list("project_id", flat=True)) if ballot else set()


def ballot_marks(heading: Heading, user) -> dict[int, int | None]:
    """The projects on the person's ballot in `heading`, each with what the ballot gives it:
    its points on a cumulative ballot, its place (1 = first) on a ranked one, None on a ballot
    that only chooses. Empty when the person has no ballot there."""
    ballot = ballot_of(heading, user)
    if ballot is None:
        return {}
    rows = ballot.lines.order_by("rank", "pk").values_list("project_id", "points", "rank")
    if heading.style == BallotStyle.CUMULATIVE:
        return {project: points or 0 for project, points, _rank in rows}
    if heading.style == BallotStyle.RANKED:
        return {project: rank for project, _points, rank in rows}
    return {project: None for project, _points, _rank in rows}


def paper_headings(budget: Budget) -> QuerySet[Heading]:
    """The budget's headings with their paper and web ballot counts (for poll officers)."""
    return (
        Heading.objects.filter(group__budget=budget)
        .select_related("group")
        .annotate(
            paper=Count("ballots", filter=Q(ballots__source=Ballot.Source.PAPER)),
            web=Count("ballots", filter=Q(ballots__source=Ballot.Source.WEB)),
        )
    )


@dataclass(frozen=True)
class OfficerTotals:
    """One poll officer's paper ballots in a budget, for reconciling against the paper piles:
    those counted now, corrected and voided (the voided are no longer counted), and when the
    first and the last still counted were entered."""

    officer: str
    counted: int
    corrected: int
    voided: int
    first: datetime | None
    last: datetime | None


def paper_officer_totals(budget: Budget) -> list[OfficerTotals]:
    """Each poll officer's paper ballot totals in `budget`, by name (a deleted account's
    entries under a dash)."""
    from django.db.models import Max, Min

    from samskab.budgets.models import PaperBallotChange

    rows: dict[int | None, dict] = {}
    people: dict[int | None, str] = {}
    ballots = (
        Ballot.objects.filter(heading__group__budget=budget, source=Ballot.Source.PAPER)
        .values("entered_by", "entered_by__display_name", "entered_by__email")
        .annotate(n=Count("pk"), first=Min("created_at"), last=Max("created_at"))
    )
    for row in ballots:
        key = row["entered_by"]
        rows.setdefault(key, {}).update(counted=row["n"], first=row["first"], last=row["last"])
        people[key] = row["entered_by__display_name"] or row["entered_by__email"] or "–"
    changes = (
        PaperBallotChange.objects.filter(heading__group__budget=budget)
        .values("entered_by", "entered_by__display_name", "entered_by__email", "kind")
        .annotate(n=Count("pk"))
    )
    for change in changes:
        key = change["entered_by"]
        rows.setdefault(key, {})[change["kind"]] = change["n"]
        people[key] = change["entered_by__display_name"] or change["entered_by__email"] or "–"
    totals = [
        OfficerTotals(
            officer=people[key],
            counted=row.get("counted", 0),
            corrected=row.get(PaperBallotChange.Kind.CORRECTED, 0),
            voided=row.get(PaperBallotChange.Kind.VOIDED, 0),
            first=row.get("first"),
            last=row.get("last"),
        )
        for key, row in rows.items()
    ]
    return sorted(totals, key=lambda t: t.officer.casefold())


def paper_ballots(budget: Budget, user, *, identifier: str = "") -> QuerySet[Ballot]:
    """The paper ballots `user` entered in `budget` (an administrator: everyone's), newest
    first, with their projects; `identifier`, when given, finds one person's by the census
    identifier (looked up by its keyed hash, as when it was entered)."""
    from django.conf import settings
    from django.db.models import Prefetch

    from samskab.accounts.census import hash_identifier
    from samskab.accounts.roles import Role, has_role

    ballots = Ballot.objects.filter(heading__group__budget=budget, source=Ballot.Source.PAPER)
    if not has_role(user, Role.ADMINISTRATOR):
        ballots = ballots.filter(entered_by=user)
    if identifier:
        ballots = ballots.filter(person=hash_identifier(identifier, pepper=settings.CENSUS_PEPPER))
    return (
        ballots.select_related("heading", "entered_by")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=BallotLine.objects.select_related("project").order_by("rank", "pk"),
            )
        )
        .order_by("-created_at", "-pk")
    )


def budget_participation(budget: Budget, *, day=None) -> list[tuple[Heading, object]]:
    """Each heading's participation statistics (samskab.budgets.participation), from its
    ballots and what the census knows of the people who cast them."""
    from django.utils import timezone

    from samskab.accounts.models import CensusRecord
    from samskab.budgets.participation import heading_participation

    day = day or timezone.localdate()
    headings = list(Heading.objects.filter(group__budget=budget).select_related("group"))
    rows = list(
        Ballot.objects.filter(heading__group__budget=budget).values_list(
            "heading_id", "source", "person"
        )
    )
    people = {p for _h, _s, p in rows if p}
    census = {
        h: (born, postal)
        for h, born, postal in CensusRecord.objects.filter(identifier_hash__in=people).values_list(
            "identifier_hash", "birth_date", "postal_code"
        )
    }
    by_heading: dict[int, list] = {h.pk: [] for h in headings}
    for heading_id, source, person in rows:
        born, postal = census.get(person, (None, None)) if person else (None, None)
        by_heading[heading_id].append((source, born, postal))
    return [(h, heading_participation(by_heading[h.pk], day)) for h in headings]


def budget_turnout(budget: Budget, participation: list[tuple[Heading, object]]) -> dict | None:
    """Turnout against the census (None without one): the people in it who voted in any
    heading, and in each heading, as a share of its residents. Only ballots of people in
    the census count (a ballot from before a new census, or a demo's ballots, never make
    more than all of it). The figures follow participation's rule: a count of fewer than 5
    people is not shown."""
    from django.db.models import Count

    from samskab.accounts.models import CensusRecord
    from samskab.budgets.participation import turnout_percent

    census = CensusRecord.objects.count()
    if not census:
        return None
    in_census = Ballot.objects.filter(
        heading__group__budget=budget,
        person__in=CensusRecord.objects.values("identifier_hash"),
    )
    voters = in_census.values("person").distinct().count()
    by_heading = dict(
        in_census.values_list("heading").annotate(people=Count("person", distinct=True))
    )
    headings = [
        (heading, turnout_percent(by_heading.get(heading.pk, 0), census))
        for heading, _stats in participation
    ]
    return {
        "census": census,
        "voters": voters if turnout_percent(voters, census) is not None else None,
        "percent": turnout_percent(voters, census),
        "headings": headings,
    }


def user_supports(project: Project, user) -> bool:
    return user.is_authenticated and Support.objects.filter(project=project, user=user).exists()


def heading_election(heading: Heading) -> Election:
    """The heading's ballots as plain data for the counting module (ids are project pks)."""
    projects = heading.projects.filter(
        status__in=[Project.Status.ON_BALLOT, Project.Status.WINNER, Project.Status.NOT_WINNER]
    ).exclude(price=None)
    costs = {str(p.pk): p.price for p in projects if p.price is not None}  # the query excludes None
    ballots: dict[int, set[str]] = {}
    for ballot_id, project_id in BallotLine.objects.filter(ballot__heading=heading).values_list(
        "ballot_id", "project_id"
    ):
        ballots.setdefault(ballot_id, set()).add(str(project_id))
    # Lines for projects taken off the ballot later do not count.
    approvals = [frozenset(b & costs.keys()) for b in ballots.values()]
    return Election(budget=heading.amount, costs=costs, approvals=approvals)


def ranking_scale(heading: Heading) -> int:
    """The length a ranked heading's Borda points count from: its ranking length, else the
    number of projects on its ballot (the first of n gets n points)."""
    length = heading.ballot_rules().ranking_length
    if length:
        return length
    return (
        heading.projects.filter(
            status__in=[Project.Status.ON_BALLOT, Project.Status.WINNER, Project.Status.NOT_WINNER]
        )
        .exclude(price=None)
        .count()
    )


def heading_scored_election(heading: Heading) -> ScoredElection:
    """A cumulative or ranked heading's ballots as points for the counting module: each
    project's points, or a ranking's points by the heading's scoring (Borda)."""
    projects = heading.projects.filter(
        status__in=[Project.Status.ON_BALLOT, Project.Status.WINNER, Project.Status.NOT_WINNER]
    ).exclude(price=None)
    costs = {str(p.pk): p.price for p in projects if p.price is not None}  # the query excludes None
    ranked = heading.style == BallotStyle.RANKED
    scale = ranking_scale(heading) if ranked else 0
    rows = BallotLine.objects.filter(ballot__heading=heading).order_by("ballot_id", "rank", "pk")
    given: dict[int, list[tuple[str, int | None]]] = {}
    for ballot_id, project_id, points in rows.values_list("ballot_id", "project_id", "points"):
        given.setdefault(ballot_id, []).append((str(project_id), points))
    ballots: list[dict[str, int]] = []
    for lines in given.values():
        if ranked:
            # Places count among the projects still on the ballot, in the voter's order.
            ranking = [p for p, _x in lines if p in costs][:scale]
            ballots.append(borda(ranking, scale))
        else:
            ballots.append({p: x for p, x in lines if p in costs and x})
    return ScoredElection(budget=heading.amount, costs=costs, ballots=ballots)


def heading_vote(heading: Heading) -> Election | ScoredElection:
    """What the count takes for `heading`: approval ballots, or points for a heading whose
    ballots give points (cumulative) or rank projects."""
    if heading.ballot_rules().by_points:
        return heading_scored_election(heading)
    return heading_election(heading)


def money(amount: int | float, currency: str = "") -> str:
    # Danish grouping (1.000.000); the currency follows the number.
    text = f"{round(amount):,}".replace(",", ".")
    return f"{text} {currency}".strip()


@dataclass(frozen=True)
class ProjectLine:
    project: Project | None
    title: str
    cost: int
    votes: int
    won: bool
    why: str


def result_lines(result: HeadingResult, currency: str) -> list[ProjectLine]:
    """Each project of the heading, winners first in the order chosen, with why it won or lost."""
    data = result.explanation or {}
    verdicts: dict = data.get("verdicts", {})
    projects = {str(p.pk): p for p in Project.objects.filter(pk__in=[int(k) for k in verdicts])}

    def title(pk: str) -> str:
        return projects[pk].title if pk in projects else _("project %(id)s") % {"id": pk}

    winners = [str(p) for p in result.winners]
    order = winners + [p for p in verdicts if p not in winners]
    lines = []
    for pk in order:
        v = verdicts[pk]
        lines.append(
            ProjectLine(
                project=projects.get(pk),
                title=title(pk),
                cost=v["cost"],
                votes=v["votes"],
                won=v["won"],
                why=_why(v, title, currency, data),
            )
        )
    return lines


def _why(v: dict, title, currency: str, data: dict) -> str:
    reason = v["reason"]
    rnd = v.get("round")
    if data.get("by_points") and reason in ("chosen", "unaffordable"):
        return _why_by_points(v, currency, data)
    if reason == "chosen" and rnd:
        text = _(
            "Funded in round %(round)d: its %(voters)d voters shared the cost of "
            "%(cost)s, each paying at most %(payment)s from their equal share."
        ) % {
            "round": rnd["number"],
            "voters": v["votes"],
            "cost": money(v["cost"], currency),
            "payment": money(rnd["max_payment"]["approx"], currency),
        }
        if rnd["exhausted"]:
            text += " " + _("%(count)d of them had less left and paid all they had.") % {
                "count": rnd["exhausted"]
            }
        return text
    if reason == "chosen":
        return _("Funded: it had %(votes)d votes and fitted in what was left of the amount.") % {
            "votes": v["votes"]
        }
    if reason == "completion":
        return _(
            "Funded afterwards from the money left over, "
            "as the most-voted project that still fitted."
        )
    if reason == "no_supporters":
        return _("Not funded: nobody voted for it.")
    if reason == "did_not_fit":
        return _(
            "Not funded: it cost %(cost)s, but only %(left)s of the amount "
            "was left when its turn came."
        ) % {"cost": money(v["cost"], currency), "left": money(v.get("budget_left") or 0, currency)}
    # Unaffordable under the Method of Equal Shares.
    behind = v.get("money_behind") or {"approx": 0}
    text = _(
        "Not funded: its %(votes)d voters had only %(behind)s left of their shares, "
        "not enough for its cost of %(cost)s."
    ) % {
        "votes": v["votes"],
        "behind": money(behind["approx"], currency),
        "cost": money(v["cost"], currency),
    }
    elsewhere = v.get("spent_elsewhere") or []
    if elsewhere:
        parts = [
            _("%(amount)s on “%(title)s”")
            % {"amount": money(m["approx"], currency), "title": title(p)}
            for p, m in elsewhere[:3]
        ]
        text += " " + _("They had spent their money on projects they also liked: %(list)s.") % {
            "list": ", ".join(parts)
        }
    return text


def _why_by_points(v: dict, currency: str, data: dict) -> str:
    """Ballots with points: a project's measure is the points voters gave it in all."""
    equal_shares = str(data.get("rule", "")).startswith("equal_shares")
    if v["reason"] == "chosen" and equal_shares:
        return _(
            "Funded: voters gave it %(points)d points in all, and their equal shares, spent "
            "in proportion to their points, paid its cost of %(cost)s."
        ) % {"points": v["votes"], "cost": money(v["cost"], currency)}
    if v["reason"] == "chosen":
        return _(
            "Funded: voters gave it %(points)d points in all, and it fitted in what was left "
            "of the amount."
        ) % {"points": v["votes"]}
    return _(
        "Not funded: voters gave it %(points)d points in all, but what they had left of their "
        "equal shares was not enough for its cost of %(cost)s."
    ) % {"points": v["votes"], "cost": money(v["cost"], currency)}


@dataclass(frozen=True)
class PhaseNow:
    """The budget's current phase with its dates, and how long until it closes."""

    label: str
    starts_on: date | None
    ends_on: date | None
    days_left: int | None  # 0 on the last day; None without an end date or once past it
    description: str


def phase_now(budget: Budget, *, today: date | None = None) -> PhaseNow:
    today = today or timezone.localdate()
    row = budget.phases.filter(phase=budget.phase).first()
    ends_on = row.ends_on if row else None
    days_left = (ends_on - today).days if ends_on and ends_on >= today else None
    return PhaseNow(
        label=budget.get_phase_display(),
        starts_on=row.starts_on if row else None,
        ends_on=ends_on,
        days_left=days_left,
        description=row.description if row else "",
    )


def my_ballots(budget: Budget, user) -> dict[int, dict]:
    """Per heading the person has voted in: the ballot's style, how many projects and what
    they cost together; on a cumulative ballot the points given and the points a voter has."""
    result: dict[int, dict] = {}
    if not user.is_authenticated:
        return result
    for heading in Heading.objects.filter(group__budget=budget).select_related("group"):
        ballot = ballot_of(heading, user)
        if ballot is not None:
            lines = list(ballot.lines.values_list("project__price", "points"))
            result[heading.pk] = {
                "style": heading.style,
                "count": len(lines),
                "total": sum(price or 0 for price, _points in lines),
                "points": sum(points or 0 for _price, points in lines),
                "points_total": heading.ballot_rules().points_total,
            }
    return result


def project_where(project: Project, at=None):
    """Where a project is, for staff (core.targets' `where`): the budget and the heading."""
    from samskab.core.targets import Where

    heading = project.heading
    return Where(
        f"{heading.group.budget.title} · {heading.name} · {project.title}",
        project.get_absolute_url(),
    )


def ballot_assurance(budget: Budget) -> str:
    """The MitID level the ballot asks for: the budget's, or the site's minimum if higher."""
    return stricter(budget.ballot_assurance, settings.BUDGET_BALLOT_ASSURANCE)
