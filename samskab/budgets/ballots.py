"""What a ballot holds in each style, and the checks every ballot passes: on the web, on paper
and through the API alike.

Styles: knapsack (projects within the heading's amount), approval (at most K projects),
cumulative (points shared out, at most so many in all and per project) and ranked (projects in
order of preference, best first, at most L of them). A ballot is a list of `Mark`s; it is
written as `BallotLine` rows (points and rank kept on them) and logged as a plain record.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from samskab.budgets.errors import BudgetRefused
from samskab.budgets.models import (
    MAX_BALLOT_POINTS,
    Ballot,
    BallotLine,
    BallotRules,
    BallotStyle,
    Heading,
    Project,
)
from samskab.budgets.selectors import money


@dataclass(frozen=True)
class Mark:
    """One project on a ballot, with its points (cumulative) or place, 1 first (ranked)."""

    project: Project
    points: int | None = None
    rank: int | None = None


def _projects(heading: Heading, ids: list[int]) -> dict[int, Project]:
    """The projects by pk, refused unless each is on this heading's ballot."""
    projects = {p.pk: p for p in Project.objects.filter(pk__in=ids)}
    if len(projects) != len(set(ids)):
        raise BudgetRefused(_("The ballot names a project that does not exist."))
    for project in projects.values():
        if project.heading_id != heading.pk:
            # Not the title: the project may be in a budget that is not published (M5).
            raise BudgetRefused(
                _("Project %(number)d belongs to another heading.") % {"number": project.pk}
            )
        if project.status != Project.Status.ON_BALLOT or project.price is None:
            raise BudgetRefused(_("“%(title)s” is not on the ballot.") % {"title": project.title})
    return projects


def ballot_check(
    heading: Heading,
    project_ids: Iterable[int],
    *,
    points: Mapping[int, int] | None = None,
    paper: bool = False,
) -> list[Mark]:
    """The marks of a ballot in `heading`, refused unless they make a valid ballot there.

    `project_ids` are the chosen projects (knapsack, approval) or the ranking, best first
    (ranked); `points` gives each project's points (cumulative; a project given 0 is left off).
    Nothing is written: the caller saves the marks only when this returns. `paper`: the
    refusals speak of the ballot to the poll officer who types it, not to the voter.
    """
    rules = heading.ballot_rules()
    if rules.style == BallotStyle.CUMULATIVE:
        return _check_points(heading, rules, points or {}, list(project_ids), paper=paper)
    if points:
        raise BudgetRefused(_("This ballot has no points: choose projects instead."))
    ids = [int(p) for p in project_ids]
    if rules.style == BallotStyle.RANKED:
        return _check_ranking(heading, rules, ids, paper=paper)
    ids = list(dict.fromkeys(ids))
    projects = list(_projects(heading, ids).values())
    if rules.style == BallotStyle.APPROVAL:
        limit = rules.max_projects
        if limit is not None and len(projects) > limit:
            if paper:
                refusal = ngettext(
                    "The ballot chooses %(chosen)d projects, but a ballot may choose at most "
                    "%(limit)d project.",
                    "The ballot chooses %(chosen)d projects, but a ballot may choose at most "
                    "%(limit)d projects.",
                    limit,
                )
            else:
                refusal = ngettext(
                    "You chose %(chosen)d projects, but you may choose at most %(limit)d project.",
                    "You chose %(chosen)d projects, but you may choose at most %(limit)d projects.",
                    limit,
                )
            raise BudgetRefused(refusal % {"chosen": len(projects), "limit": limit})
        return [Mark(p) for p in projects]
    total = sum(p.price or 0 for p in projects)
    if total > heading.amount:
        raise BudgetRefused(
            (
                _("The ballot's choices cost %(total)s, more than the %(amount)s this heading has.")
                if paper
                else _("Your choices cost %(total)s, more than the %(amount)s this heading has.")
            )
            % {
                "total": money(total, heading.budget.currency),
                "amount": money(heading.amount, heading.budget.currency),
            }
        )
    return [Mark(p) for p in projects]


def _check_points(
    heading: Heading,
    rules: BallotRules,
    points: Mapping[int, int],
    listed: list[int],
    *,
    paper: bool = False,
) -> list[Mark]:
    given = {int(p): x for p, x in points.items()}
    if any(isinstance(x, bool) or not isinstance(x, int) or x < 0 for x in given.values()):
        raise BudgetRefused(_("Points are whole numbers of 0 or more."))
    if set(listed) - {p for p, x in given.items() if x > 0}:
        raise BudgetRefused(_("Give each project you choose its points."))
    projects = _projects(heading, list(given))
    total_allowed = rules.points_total or 0
    cap = rules.cap or 0
    for pk, value in given.items():
        if value > cap:
            if paper:
                refusal = ngettext(
                    "The ballot gives “%(title)s” %(points)d points, but one project may get at "
                    "most %(cap)d point.",
                    "The ballot gives “%(title)s” %(points)d points, but one project may get at "
                    "most %(cap)d points.",
                    cap,
                )
            else:
                refusal = ngettext(
                    "You gave “%(title)s” %(points)d points, but one project may get at most "
                    "%(cap)d point.",
                    "You gave “%(title)s” %(points)d points, but one project may get at most "
                    "%(cap)d points.",
                    cap,
                )
            raise BudgetRefused(
                refusal % {"title": projects[pk].title, "points": value, "cap": cap}
            )
    total = sum(given.values())
    if total > total_allowed:
        if paper:
            refusal = ngettext(
                "The ballot gives %(total)d points in all, but a ballot has %(max)d point to "
                "share out.",
                "The ballot gives %(total)d points in all, but a ballot has %(max)d points to "
                "share out.",
                total_allowed,
            )
        else:
            refusal = ngettext(
                "You gave %(total)d points in all, but you have %(max)d point to share out.",
                "You gave %(total)d points in all, but you have %(max)d points to share out.",
                total_allowed,
            )
        raise BudgetRefused(refusal % {"total": total, "max": total_allowed})
    return [Mark(projects[pk], points=value) for pk, value in given.items() if value > 0]


def _check_ranking(
    heading: Heading, rules: BallotRules, ids: list[int], *, paper: bool = False
) -> list[Mark]:
    projects = _projects(heading, ids)
    seen: set[int] = set()
    for pk in ids:
        if pk in seen:
            raise BudgetRefused(
                _("“%(title)s” is ranked twice: rank each project once.")
                % {"title": projects[pk].title}
            )
        seen.add(pk)
    limit = rules.ranking_length
    if limit is not None and len(ids) > limit:
        if paper:
            refusal = ngettext(
                "The ballot ranks %(count)d projects, but a ballot may rank at most %(limit)d "
                "project.",
                "The ballot ranks %(count)d projects, but a ballot may rank at most %(limit)d "
                "projects.",
                limit,
            )
        else:
            refusal = ngettext(
                "You ranked %(count)d projects, but you may rank at most %(limit)d project.",
                "You ranked %(count)d projects, but you may rank at most %(limit)d projects.",
                limit,
            )
        raise BudgetRefused(refusal % {"count": len(ids), "limit": limit})
    return [Mark(projects[pk], rank=place) for place, pk in enumerate(ids, start=1)]


def replace_lines(ballot: Ballot, marks: list[Mark]) -> None:
    ballot.lines.all().delete()
    BallotLine.objects.bulk_create(
        BallotLine(ballot=ballot, project=m.project, points=m.points, rank=m.rank) for m in marks
    )


def marks_record(marks: Iterable[Mark]) -> list:
    """A ballot as the logs keep it: project pks (sorted; a ranking in its order), or
    [pk, points] pairs for a ballot with points."""
    marks = list(marks)
    if any(m.rank for m in marks):
        return [m.project.pk for m in sorted(marks, key=lambda m: m.rank or 0)]
    if any(m.points for m in marks):
        return sorted([m.project.pk, m.points] for m in marks)
    return sorted(m.project.pk for m in marks)


def lines_record(ballot: Ballot) -> list:
    """The stored ballot as `marks_record` writes it."""
    rows = list(ballot.lines.values_list("project_id", "points", "rank"))
    if any(rank for _p, _x, rank in rows):
        return [p for p, _x, _r in sorted(rows, key=lambda row: row[2] or 0)]
    if any(points for _p, points, _r in rows):
        return sorted([p, x] for p, x, _r in rows)
    return sorted(p for p, _x, _r in rows)


def record_titles(record: list, titles: Mapping[int, str]) -> list[str]:
    """A logged ballot for people to read: titles, with points where it had them."""
    out = []
    for item in record:
        if isinstance(item, list):
            pk, points = item
            out.append(
                ngettext("%(title)s (%(points)d point)", "%(title)s (%(points)d points)", points)
                % {"title": titles.get(pk, str(pk)), "points": points}
            )
        else:
            out.append(titles.get(item, str(item)))
    return out


@dataclass(frozen=True)
class FormBallot:
    """A ballot as a form sent it: the projects (a ranking in order) and their points."""

    project_ids: list[int]
    points: dict[int, int] | None = None


def _filled(data: QueryDict, prefix: str) -> Iterator[tuple[str, str]]:
    """(the rest of the name, the value) of each field named `prefix`... that is not blank;
    of a field sent more than once, the last value (as QueryDict.items())."""
    for key in data:
        if key.startswith(prefix):
            value = data.get(key, "")
            if value.strip():
                yield key.removeprefix(prefix), value


def ballot_from_form(rules: BallotRules, data: QueryDict) -> FormBallot:
    """Read a ballot from the web or paper form of its style; BudgetRefused if it cannot be.

    Knapsack and approval: the ticked `project` boxes. Cumulative: `points-<pk>` fields.
    Ranked: either `rank` fields in order (the citizen's list) or `rank-<pk>` numbers (the
    paper form: the place written next to each project; blank is not ranked, and the
    numbers give the order, so a skipped number does not matter, but a repeated one does).
    """
    unreadable = BudgetRefused(_("The ballot could not be read."))
    try:
        if rules.style == BallotStyle.CUMULATIVE:
            points = {}
            for pk, value in _filled(data, "points-"):
                number = int(value)
                if not 0 <= number <= MAX_BALLOT_POINTS:
                    raise BudgetRefused(
                        _("Points are whole numbers from 0 to %(max)d.")
                        % {"max": rules.cap or MAX_BALLOT_POINTS}
                    )
                points[int(pk)] = number
            return FormBallot([], points)
        if rules.style == BallotStyle.RANKED:
            numbered = {int(pk): int(value) for pk, value in _filled(data, "rank-")}
            if numbered:
                places = list(numbered.values())
                if any(n < 1 for n in places):
                    raise BudgetRefused(_("A rank is a whole number from 1."))
                repeated = sorted({n for n in places if places.count(n) > 1})
                if repeated:
                    raise BudgetRefused(
                        _("Two projects have rank %(rank)d: rank each place once.")
                        % {"rank": repeated[0]}
                    )
                return FormBallot(sorted(numbered, key=numbered.__getitem__))
            return FormBallot([int(p) for p in data.getlist("rank")])
        return FormBallot([int(p) for p in data.getlist("project")])
    except (ValueError, OverflowError):
        raise unreadable from None


def ballot_as_form(ballot: Ballot | None) -> FormBallot:
    """A stored ballot as its form shows it: a ranking in order, points by project."""
    if ballot is None:
        return FormBallot([])
    rows = list(ballot.lines.order_by("rank", "pk").values_list("project_id", "points", "rank"))
    if any(points for _p, points, _r in rows):
        return FormBallot([], {p: x for p, x, _r in rows if x})
    return FormBallot([p for p, _x, _r in rows])


def ranking_move(ranking: list[int], action: str, projects: Iterable[int]) -> list[int]:
    """The ranking after one of the ranked form's buttons (without JavaScript each is a round
    trip): "up:<pk>", "down:<pk>", "add:<pk>" (to the end) or "remove:<pk>"."""
    verb, _sep, raw = action.partition(":")
    try:
        pk = int(raw)
    except ValueError:
        return ranking
    ranking = list(dict.fromkeys(ranking))
    if verb == "add" and pk not in ranking and pk in set(projects):
        return [*ranking, pk]
    if pk not in ranking:
        return ranking
    i = ranking.index(pk)
    if verb == "remove":
        return ranking[:i] + ranking[i + 1 :]
    j = i - 1 if verb == "up" else i + 1 if verb == "down" else i
    if 0 <= j < len(ranking):
        ranking[i], ranking[j] = ranking[j], ranking[i]
    return ranking
