"""Reading and writing pabulib (.pb) files, the open format of participatory-budgeting data.

A file has three sections, each a `;`-separated table under a header row: META (key;value),
PROJECTS (project_id;cost;... any other columns such as name, votes, category, selected) and
VOTES (voter_id;vote;... with `vote` a comma-separated list of project ids, plus `points` for
cumulative and scoring ballots). We keep every column we do not interpret, so a file survives
parse and write unchanged in meaning. Normalisation on reading: section names and column names
are case-insensitive and stored in lower case, cells are stripped of surrounding spaces, quotes
follow CSV rules, blank lines are skipped. `parse(write(x)) == x` holds for every file we can
write. See https://pabulib.org/format.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from samskab.budgets.counting.election import MAX_AMOUNT, Election
from samskab.core.text import clean_text

SECTIONS = ("meta", "projects", "votes")
APPROVAL = "approval"


class PabulibError(ValueError):
    """The text is not a pabulib file we can read (the message says where and why)."""


@dataclass(frozen=True)
class Project:
    project_id: str
    cost: int
    fields: Mapping[str, str] = field(default_factory=dict)  # the other columns, by name


@dataclass(frozen=True)
class Vote:
    voter_id: str
    projects: tuple[str, ...]  # as written: for ordinal ballots, best first
    points: tuple[int, ...] | None = None  # cumulative and scoring ballots
    fields: Mapping[str, str] = field(default_factory=dict)  # age, sex, voting_method...


@dataclass(frozen=True)
class PabulibFile:
    meta: Mapping[str, str]
    projects: tuple[Project, ...]
    votes: tuple[Vote, ...]
    project_columns: tuple[str, ...] = ("project_id", "cost")
    vote_columns: tuple[str, ...] = ("voter_id", "vote")

    @property
    def budget(self) -> int:
        if "budget" not in self.meta:
            raise PabulibError("The META section has no budget.")
        return _whole(self.meta["budget"], "the budget")

    @property
    def vote_type(self) -> str:
        return self.meta.get("vote_type", APPROVAL).lower()

    def selected(self) -> list[str]:
        """The projects the file marks as funded (`selected` 1), in file order."""
        return [p.project_id for p in self.projects if p.fields.get("selected", "") == "1"]

    def election(self, *, as_approval: bool = False) -> Election:
        """The election to count. Ballots of other types are refused unless `as_approval`,
        which counts every project a voter listed (ranked or gave points) as approved."""
        if self.vote_type != APPROVAL and not as_approval:
            raise PabulibError(
                f"The votes are {self.vote_type} ballots; only approval ballots are counted here."
            )
        counts: dict[frozenset[str], int] = {}
        for vote in self.votes:
            ballot = frozenset(vote.projects)
            counts[ballot] = counts.get(ballot, 0) + 1
        return Election(
            budget=self.budget,
            costs={p.project_id: p.cost for p in self.projects},
            approvals=list(counts),
            counts=list(counts.values()),
        )


def read(path: str | Path) -> PabulibFile:
    return parse(Path(path).read_text(encoding="utf-8-sig"))


def parse(text: str) -> PabulibFile:
    """Parse the text of a .pb file, refusing it with a `PabulibError` where it is malformed.

    Every refusal names the line it is about: for a row, the line it starts on (a quoted cell
    may run over several lines); for a missing section or key, the line it was looked for at.
    """
    # No NUL, lone surrogate or invisible control reaches a cell (security L2).
    text = clean_text(text.removeprefix("\ufeff"))
    # section -> (header line, columns, [(line, cells)])
    tables: dict[str, tuple[int, list[str], list[tuple[int, list[str]]]]] = {}
    section: str | None = None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"', strict=True)
    expecting_header = False
    start = 1  # the line the next row starts on
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise PabulibError(_quoting_problem(start, reader.line_num, str(error))) from error
        line, start = start, reader.line_num + 1
        cells = [cell.strip() for cell in row]
        while cells and not cells[-1]:
            cells.pop()  # trailing separators are common and mean nothing
        if not cells:
            continue
        if len(cells) == 1 and cells[0].lower() in SECTIONS:
            if expecting_header:
                raise PabulibError(f"Line {line}: the {section.upper()} section has no header row.")  # type: ignore[union-attr]
            name = cells[0].lower()
            if name in tables:
                raise PabulibError(f"Line {line}: a second {name.upper()} section.")
            expected = SECTIONS[len(tables)]
            if name != expected:
                raise PabulibError(
                    f"Line {line}: the sections must come in the order META, PROJECTS, VOTES; "
                    f"{name.upper()} comes where {expected.upper()} should."
                )
            section = name
            expecting_header = True
            continue
        if section is None:
            raise PabulibError(f"Line {line}: data before the META section.")
        if expecting_header:
            tables[section] = (line, [c.lower() for c in cells], [])
            expecting_header = False
            continue
        tables[section][2].append((line, cells))
    end = max(start - 1, 1)
    if expecting_header and section is not None:
        raise PabulibError(f"Line {end}: the {section.upper()} section has no header row.")
    for name in SECTIONS:
        if name not in tables:
            raise PabulibError(
                f"Line {end}: the file ends without a {name.upper()} section with a header row."
            )

    meta: dict[str, str] = {}
    meta_lines: dict[str, int] = {}
    for line, cells in tables["meta"][2]:
        key = cells[0].lower()
        if key in meta:
            raise PabulibError(f"Line {line}: META repeats the key {key!r}.")
        meta[key] = ";".join(cells[1:])  # a stray unquoted ';' belongs to the value
        meta_lines[key] = line
    if "budget" in meta:  # a file without one reads, but cannot be counted (see .budget)
        budget = _whole(meta["budget"], f"line {meta_lines['budget']}: the budget")
        if budget < 0:
            raise PabulibError(f"Line {meta_lines['budget']}: the budget is negative: {budget}.")
        if budget > MAX_AMOUNT:
            raise PabulibError(
                f"Line {meta_lines['budget']}: the budget is too large (at most {MAX_AMOUNT})."
            )

    project_columns, project_rows = _table(tables["projects"], "PROJECTS", ("project_id", "cost"))
    projects: list[Project] = []
    for line, project_id, fields in project_rows:
        raw = fields.pop("cost")
        cost = _whole(raw, f"line {line}: the cost of project {project_id!r}")
        if cost < 0:
            raise PabulibError(f"Line {line}: project {project_id!r} has a negative cost: {raw}.")
        if cost > MAX_AMOUNT:
            raise PabulibError(
                f"Line {line}: the cost of project {project_id!r} is too large "
                f"(at most {MAX_AMOUNT})."
            )
        projects.append(Project(project_id, cost, fields))
    known = {p.project_id for p in projects}

    vote_columns, vote_rows = _table(tables["votes"], "VOTES", ("voter_id", "vote"))
    votes: list[Vote] = []
    for line, voter_id, fields in vote_rows:
        chosen = tuple(_split(fields.pop("vote")))
        unknown = [p for p in chosen if p not in known]
        if unknown:
            raise PabulibError(f"Line {line}: the vote names unknown projects {unknown}.")
        if len(set(chosen)) != len(chosen):
            raise PabulibError(f"Line {line}: the vote names a project twice.")
        points = None
        if "points" in fields:
            raw = fields.pop("points")
            points = tuple(_whole(x, f"line {line}: a point") for x in _split(raw))
            if len(points) != len(chosen):
                raise PabulibError(f"Line {line}: {len(points)} points for {len(chosen)} projects.")
        votes.append(Vote(voter_id, chosen, points, fields))
    return PabulibFile(meta, tuple(projects), tuple(votes), project_columns, vote_columns)


def _quoting_problem(start: int, now: int, error: str) -> str:
    if "end of data" in error or "EOF" in error:
        return (
            f"Line {start}: a quoted cell is never closed (the quote opened here runs to the "
            f"end of the file at line {now})."
        )
    return (
        f"Line {now}: broken quoting ({error}); a cell in quotes must end with a quote right "
        'before the ";", and a quote inside it is written twice ("").'
    )


def write(instance: PabulibFile) -> str:
    """The .pb text of `instance`."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quotechar='"', lineterminator="\n")
    for row in _rows(instance):
        if row[0].strip().lower() in SECTIONS and len(row) > 1 and not "".join(row[1:]).strip():
            raise PabulibError(f"A row starting with {row[0]!r} would read as a section name.")
        writer.writerow(row)
    return out.getvalue()


def from_election(
    election: Election,
    *,
    meta: Mapping[str, str] | None = None,
    project_fields: Mapping[str, Mapping[str, str]] | None = None,
) -> PabulibFile:
    """A pabulib file of `election` (for export): one vote row per voter, numbered from 1.

    `meta` adds to or overrides the generated keys (description, country, unit, ...);
    `project_fields` gives extra columns per project (name, category, selected, ...).
    """
    votes_per_project = election.votes()
    extra: list[str] = []
    for fields in (project_fields or {}).values():
        extra += [c for c in fields if c not in extra and c not in ("project_id", "cost", "votes")]
    projects = tuple(
        Project(
            project_id,
            cost,
            {"votes": str(votes_per_project[project_id])}
            | {c: (project_fields or {}).get(project_id, {}).get(c, "") for c in extra},
        )
        for project_id, cost in election.costs.items()
    )
    order = {p: i for i, p in enumerate(election.costs)}
    votes: list[Vote] = []
    for ballot, count in zip(election.approvals, election.ballot_counts(), strict=True):
        chosen = tuple(sorted(ballot, key=order.__getitem__))
        votes += [Vote(str(len(votes) + i + 1), chosen) for i in range(count)]
    generated = {
        "num_projects": str(len(projects)),
        "num_votes": str(len(votes)),
        "budget": str(election.budget),
        "vote_type": APPROVAL,
    }
    return PabulibFile(
        meta=generated | dict(meta or {}),
        projects=projects,
        votes=tuple(votes),
        project_columns=("project_id", "cost", "votes", *extra),
        vote_columns=("voter_id", "vote"),
    )


def _rows(instance: PabulibFile) -> Iterator[list[str]]:
    yield ["META"]
    yield ["key", "value"]
    for key, value in instance.meta.items():
        yield [key, value]
    yield ["PROJECTS"]
    yield list(instance.project_columns)
    for project in instance.projects:
        values = {"project_id": project.project_id, "cost": str(project.cost), **project.fields}
        yield [values.get(c, "") for c in instance.project_columns]
    yield ["VOTES"]
    yield list(instance.vote_columns)
    for vote in instance.votes:
        if any("," in p or not p for p in vote.projects):
            raise PabulibError(f"Voter {vote.voter_id!r}: a project id is empty or has a comma.")
        values = {"voter_id": vote.voter_id, "vote": ",".join(vote.projects), **vote.fields}
        if vote.points is not None:
            values["points"] = ",".join(str(x) for x in vote.points)
        yield [values.get(c, "") for c in instance.vote_columns]


def _table(
    table: tuple[int, list[str], list[tuple[int, list[str]]]],
    section: str,
    needed: tuple[str, str],
) -> tuple[tuple[str, ...], list[tuple[int, str, dict[str, str]]]]:
    """A section's columns and rows as (line, id, other cells by column), ids unique."""
    header_line, header, body = table
    columns = tuple(header)
    if any(c not in columns for c in needed) or len(set(columns)) != len(columns):
        raise PabulibError(
            f"Line {header_line}: the {section} header must name {', '.join(needed)} once each."
        )
    rows, seen = [], set()
    for line, cells in body:
        if len(cells) > len(columns):
            raise PabulibError(f"Line {line}: {len(cells)} cells under a header of {len(columns)}.")
        fields = dict(zip(columns, cells + [""] * (len(columns) - len(cells)), strict=True))
        row_id = fields.pop(needed[0])
        if not row_id or row_id in seen:
            raise PabulibError(f"Line {line}: the {needed[0]} {row_id!r} is empty or repeated.")
        seen.add(row_id)
        rows.append((line, row_id, fields))
    return columns, rows


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(",")] if cell else []


def _whole(text: str, what: str) -> int:
    """A whole number, also when written like 1000.0 or 1 000 (both occur in pabulib)."""
    cleaned = text.replace(" ", "").replace("\u00a0", "")
    try:
        return int(cleaned)
    except ValueError:
        pass
    try:
        number = float(cleaned)
    except ValueError:
        raise PabulibError(f"{what[0].upper()}{what[1:]} is not a number: {text!r}.") from None
    if not number.is_integer():
        raise PabulibError(f"{what[0].upper()}{what[1:]} is not a whole amount: {text!r}.")
    return int(number)
