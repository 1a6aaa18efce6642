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
import gc
import io
import itertools
import operator
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from samskab.budgets.counting.election import (
    MAX_AMOUNT,
    Completion,
    Election,
    Outcome,
    TieBreaking,
    Utility,
)
from samskab.budgets.counting.mes import equal_shares
from samskab.budgets.counting.scored import (
    MAX_POINTS,
    ScoredElection,
    borda,
    equal_shares_scored,
    greedy_by_score,
)
from samskab.core.text import clean_text

SECTIONS = ("meta", "projects", "votes")
APPROVAL = "approval"
CHOOSE_1 = "choose-1"
CUMULATIVE = "cumulative"
SCORING = "scoring"
ORDINAL = "ordinal"
VOTE_TYPES = (APPROVAL, CHOOSE_1, CUMULATIVE, SCORING, ORDINAL)
WITH_POINTS = (CUMULATIVE, SCORING)
# The META keys that bound a ballot: (key, what it bounds) - checked on reading, per vote.
BALLOT_LIMITS = (
    "min_length",
    "max_length",
    "min_points",
    "max_points",
    "min_sum_points",
    "max_sum_points",
)


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


class Votes(Sequence[Vote]):
    """The VOTES rows of a file as read: a sequence of `Vote`, stored compactly.

    Each distinct (vote, points) pair of cells is read, checked and kept once (a file of
    200,000 voters has a few hundred thousand rows but far fewer distinct ballots), and each
    row keeps its voter id, which ballot it cast and its other cells. A `Vote` is made only
    when a row is looked at; counting goes through `distinct()` and never makes one.
    """

    __slots__ = ("_extra", "_ids", "_kinds", "_names", "_sets", "_which")

    def __init__(
        self,
        voter_ids: list[str],
        which: list[int],
        kinds: list[tuple[tuple[str, ...], tuple[int, ...] | None]],
        names: tuple[str, ...] = (),
        extra: list[tuple[str, ...]] | None = None,
        sets: list[frozenset[str]] | None = None,
    ) -> None:
        self._ids = voter_ids
        self._sets = sets  # each distinct ballot's projects as a set, when made while reading
        self._which = which  # the index in `kinds` of each row's ballot
        self._kinds = kinds  # (projects, points) of each distinct ballot, first seen first
        self._names = names  # the other columns, in file order
        self._extra = extra  # each row's cells of those columns

    def __len__(self) -> int:
        return len(self._ids)

    def _vote(self, i: int) -> Vote:
        projects, points = self._kinds[self._which[i]]
        fields = dict(zip(self._names, self._extra[i], strict=True)) if self._extra else {}
        return Vote(self._ids[i], projects, points, fields)

    def __getitem__(self, i):  # type: ignore[no-untyped-def, override]
        if isinstance(i, slice):
            return tuple(self._vote(j) for j in range(*i.indices(len(self))))
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("vote index out of range")
        return self._vote(i)

    def __iter__(self) -> Iterator[Vote]:
        return (self._vote(i) for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Votes({list(self)!r})"

    def distinct(self) -> list[tuple[tuple[str, ...], tuple[int, ...] | None, int]]:
        """Each distinct ballot (projects, points) with how many rows cast it, first seen
        first."""
        counts = Counter(self._which)
        return [(*kind, counts[k]) for k, kind in enumerate(self._kinds)]

    def distinct_sets(self) -> list[frozenset[str]]:
        """The projects of each ballot of `distinct()` as a set, in the same order."""
        if self._sets is None:
            self._sets = list(map(frozenset, [projects for projects, _points in self._kinds]))
        return self._sets


def distinct_ballots(
    votes: Sequence[Vote],
) -> list[tuple[tuple[str, ...], tuple[int, ...] | None, int]]:
    """Each distinct ballot (projects, points) of `votes` with how many cast it, in the order
    of first appearance."""
    if isinstance(votes, Votes):
        return votes.distinct()
    counts: dict[tuple[tuple[str, ...], tuple[int, ...] | None], int] = {}
    for vote in votes:
        key = (vote.projects, vote.points)
        counts[key] = counts.get(key, 0) + 1
    return [(*key, n) for key, n in counts.items()]


@dataclass(frozen=True)
class PabulibFile:
    meta: Mapping[str, str]
    projects: tuple[Project, ...]
    votes: Sequence[Vote]  # a tuple, or `Votes` as read from a file
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
        if self.vote_type not in (APPROVAL, CHOOSE_1) and not as_approval:
            raise PabulibError(
                f"The votes are {self.vote_type} ballots: count them by their points "
                "(scored()), or as approval of every project listed."
            )
        distinct = distinct_ballots(self.votes)
        ballots = (
            self.votes.distinct_sets()
            if isinstance(self.votes, Votes)
            else list(map(frozenset, [projects for projects, _points, _n in distinct]))
        )
        counts: dict[frozenset[str], int] = {}
        if len(set(ballots)) == len(ballots):  # each ballot written one way only
            counts = dict(zip(ballots, [n for _p, _x, n in distinct], strict=True))
        else:
            for ballot, (_projects, _points, n) in zip(ballots, distinct, strict=True):
                counts[ballot] = counts.get(ballot, 0) + n
        return Election(
            budget=self.budget,
            costs={p.project_id: p.cost for p in self.projects},
            approvals=list(counts),
            counts=list(counts.values()),
        )

    @property
    def rule(self) -> str:
        """The rule the file says decided it (pabulib's names), "" when it does not say."""
        return self.meta.get("rule", "").strip().lower()

    def scoring_length(self) -> int:
        """The length Borda counts ranks from: max_length, else the number of projects."""
        if "max_length" in self.meta:
            return _whole(self.meta["max_length"], "max_length")
        return len(self.projects)

    def points(self, vote: Vote) -> dict[str, int]:
        """What one ballot gives each project it names: its points for cumulative and scoring
        ballots (and ordinal ones that carry them), Borda points for other rankings, 1 for
        approval and choose-1."""
        if vote.points is not None and self.vote_type != APPROVAL:
            return dict(zip(vote.projects, vote.points, strict=True))
        if self.vote_type == ORDINAL:
            return borda(vote.projects, self.scoring_length())
        return dict.fromkeys(vote.projects, 1)

    def scored(self) -> ScoredElection:
        """The election to count by points (any vote type; approval gives 1 point)."""
        counts: dict[tuple[tuple[str, int], ...], int] = {}
        for projects, points, n in distinct_ballots(self.votes):
            ballot = tuple(sorted(self.points(Vote("", projects, points)).items()))
            counts[ballot] = counts.get(ballot, 0) + n
        return ScoredElection(
            budget=self.budget,
            costs={p.project_id: p.cost for p in self.projects},
            ballots=[dict(b) for b in counts],
            counts=list(counts.values()),
        )


def read(path: str | Path) -> PabulibFile:
    return parse(Path(path).read_text(encoding="utf-8-sig"))


def parse(text: str) -> PabulibFile:
    """Parse the text of a .pb file, refusing it with a `PabulibError` where it is malformed.

    Every refusal names the line it is about: for a row, the line it starts on (a quoted cell
    may run over several lines); for a missing section or key, the line it was looked for at.
    """
    with _collector_paused():
        return _parse(text)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused: reading a large file makes a few hundred
    thousand lists and tuples (none in a cycle), and the collector would walk all of them again
    and again while they are made (it doubled the time of reading 200,000 votes)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _NotPlain(Exception):
    """The VOTES section read by whole columns turned out to need the row by row reading."""


def _parse(
    text: str, plain: bool = True, by_column: bool = True, columnar: bool = True
) -> PabulibFile:
    """`parse`; with `plain`, the VOTES rows are split by `_plain_rows` where they can be
    (the same rows as the CSV reader's, in a fraction of the time), else by the CSV reader;
    `by_column`: see `_votes`; with `columnar` (and the two others), a VOTES section whose
    every row is plain is split straight into its columns (`_plain_columns`), with no list per
    row. All three only make it faster."""
    # No NUL, lone surrogate or invisible control reaches a cell (security L2).
    text = clean_text(text.removeprefix("\ufeff"))
    # section -> (header line, columns, [(line, cells)])
    tables: dict[str, tuple[int, list[str], list[tuple[int, list[str]]]]] = {}
    section: str | None = None
    stream = io.StringIO(text, newline="")
    reader = csv.reader(stream, delimiter=";", quotechar='"', strict=True)
    expecting_header = False
    start = 1  # the line the next row starts on
    vote_cells: list[list[str]] | None = None  # the VOTES rows column by column
    first_vote = 0  # the line of the first VOTES row, when read by columns
    while True:
        if plain and section == "votes" and not expecting_header:
            rest = stream.read()
            if columnar and by_column:
                vote_cells = _plain_columns(rest, len(tables["votes"][1]))
                if vote_cells is not None:
                    first_vote = start
                    break
            rows = _plain_rows(rest, start)
            if rows is None:  # quotes, or something only the CSV reader words right
                return _parse(text, plain=False, by_column=by_column)
            tables["votes"][2].extend(rows)
            break
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

    vote_type = meta.get("vote_type", APPROVAL).strip().lower()
    if vote_type not in VOTE_TYPES:
        raise PabulibError(
            f"Line {meta_lines['vote_type']}: unknown vote_type {vote_type!r} "
            f"(pabulib's are {', '.join(VOTE_TYPES)})."
        )
    limits = {
        key: _whole(meta[key], f"line {meta_lines[key]}: {key}")
        for key in BALLOT_LIMITS
        if meta.get(key, "").strip()
    }
    for key, value in limits.items():
        if not 0 <= value <= MAX_POINTS:
            raise PabulibError(f"Line {meta_lines[key]}: {key} is out of range: {value}.")
    scoring_fn = meta.get("scoring_fn", "").strip()
    if scoring_fn and scoring_fn.lower() != "borda":
        raise PabulibError(
            f"Line {meta_lines['scoring_fn']}: the scoring function {scoring_fn!r} is not "
            "one Samskab counts (Borda is)."
        )
    try:
        vote_columns, votes = _votes(
            tables["votes"], vote_type, known, limits, by_column, vote_cells, first_vote
        )
    except _NotPlain:
        return _parse(text, plain, by_column, columnar=False)
    return PabulibFile(meta, tuple(projects), votes, project_columns, vote_columns)


def _plain_columns(text: str, width: int) -> list[list[str]] | None:
    """The rows of `text` (cleaned, as for `_plain_rows`) column by column, when every row
    is plain: exactly `width` cells (`width` - 1 separators on every line, so no blank line
    and no lone cell that could name a section), the last one not empty (no trailing empty
    cell to drop), no quote, no white space to strip, no line longer than the CSV reader's
    limit; else None. The CSV reader would give the same cells, row by row."""
    if width < 2 or '"' in text or _spaced(text):
        return None
    body = text.removesuffix("\n")
    if not body:
        return None
    lines = body.split("\n")
    if max(map(len, lines)) > csv.field_size_limit():
        return None
    if set(map(str.count, lines, itertools.repeat(";"))) != {width - 1}:
        return None
    del lines  # (not kept while the cells are made: the peak memory of a large file)
    cells = body.replace("\n", ";").split(";")
    columns = [cells[i::width] for i in range(width)]
    if not all(columns[-1]):
        return None
    return columns


def _plain_rows(text: str, line: int) -> list[tuple[int, list[str]]] | None:
    """The rows of `text` (cleaned: every line ends in "\\n"), its first line being `line`,
    as the CSV reader gives them, when it has no quote, no cell longer than the reader's
    limit and no section name; else None (the CSV reader then reads it)."""
    if '"' in text:
        return None
    lines = text.split("\n")
    if max(map(len, lines), default=0) > csv.field_size_limit():
        return None
    if not _spaced(text):
        # No cell to strip (the usual case): only empty cells at the end of a row go.
        split = [raw.split(";") for raw in lines]
    else:
        split = [[cell.strip() for cell in raw.split(";")] for raw in lines]
    if split and split[-1] == [""]:
        split.pop()  # the end of the last line
    if min(map(len, split), default=2) > 1 and all(map(operator.itemgetter(-1), split)):
        # No blank line, no trailing empty cell and no lone cell that could name a section.
        return list(zip(range(line, line + len(split)), split, strict=True))
    rows = []
    for cells in split:
        if not cells[-1]:
            while cells and not cells[-1]:
                cells.pop()
        if cells:
            if len(cells) == 1 and cells[0].lower() in SECTIONS:
                return None
            rows.append((line, cells))
        line += 1
    return rows


# White space a cell could be stripped of (str.strip's), other than the line ends.
_SPACE = re.compile(r"[^\S\n]")
_ASCII_SPACE = (" ", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")


def _spaced(text: str) -> bool:
    """Whether `text` holds white space other than line ends (ASCII text: a few fast
    searches for a character instead of the regular expression)."""
    if text.isascii():
        return any(c in text for c in _ASCII_SPACE)
    return _SPACE.search(text) is not None


def _votes(
    table: tuple[int, list[str], list[tuple[int, list[str]]]],
    vote_type: str,
    known: set[str],
    limits: Mapping[str, int],
    by_column: bool = True,
    vote_cells: list[list[str]] | None = None,
    first: int = 0,
) -> tuple[tuple[str, ...], Votes]:
    """The VOTES columns and rows. Each distinct pair of vote and points cells is read and
    checked once (a refusal names the first line it is on); a row whose cells do not fit the
    header, or whose voter id is empty or repeated, is refused first, as `_table` does.

    With `by_column`, a section whose rows all fit is read by whole columns (list
    comprehensions instead of a loop over the rows); the row loop gives the same votes and
    the same refusals (a property test compares them). `vote_cells`: the rows already split into
    columns (`_plain_columns`), the first on line `first`; when they are not all read by
    whole columns here, `_NotPlain` is raised (read them again row by row)."""
    header_line, header, body = table
    columns = tuple(header)
    if any(c not in columns for c in ("voter_id", "vote")) or len(set(columns)) != len(columns):
        raise PabulibError(
            f"Line {header_line}: the VOTES header must name voter_id, vote once each."
        )
    width = len(columns)
    at_id, at_vote = columns.index("voter_id"), columns.index("vote")
    at_points = columns.index("points") if "points" in columns else None
    names = tuple(c for c in columns if c not in ("voter_id", "vote", "points"))
    at_extra = [columns.index(c) for c in names]
    ids: list[str] = []
    which: list[int] = []
    extra: list[tuple[str, ...]] | None = [] if names else None
    kinds: list[tuple[tuple[str, ...], tuple[int, ...] | None]] = []
    kind_of: dict[tuple[str, str | None], int] = {}
    cells_of = [row for _line, row in body] if by_column and vote_cells is None else []
    widths = set(map(len, cells_of))
    if len(widths) > 1 and max(widths) <= width:
        cells_of = [c if len(c) == width else c + [""] * (width - len(c)) for c in cells_of]
        widths = {width}

    def column(i: int) -> list[str]:
        return vote_cells[i] if vote_cells is not None else [row[i] for row in cells_of]

    def line_of(row: int) -> int:
        return first + row if vote_cells is not None else body[row][0]

    if by_column and widths <= {width}:
        ids = column(at_id)
    if ids and "" not in (unique := set(ids)) and len(unique) == len(ids):
        # Every row fits the header and has its own voter id (the usual case): read the
        # distinct ballots, and the rest by whole columns.
        # (a row's vote cell, or its vote and points cells)
        keys: list[Any] = (
            column(at_vote)
            if at_points is None
            else list(zip(column(at_vote), column(at_points), strict=True))
        )
        number: dict[Any, int] = dict.fromkeys(keys, 0)  # the distinct ones, first seen first
        distinct = list(number)
        number.update(zip(distinct, range(len(distinct)), strict=True))
        which = list(map(number.__getitem__, keys))
        cell_keys: list[tuple[str, str | None]] = (
            distinct if at_points is not None else [(k, None) for k in distinct]
        )
        missing_points = vote_type in WITH_POINTS and "points" not in columns
        sets: list[frozenset[str]] | None = None
        if at_points is None and not limits and vote_type != CHOOSE_1:
            # Approval ballots without limits (the usual case), all at once: nothing to check
            # but the projects' ids (known ids have no space around them to strip).
            parts = [cell.split(",") if cell else [] for cell in distinct]
            made = list(map(frozenset, parts))  # (kept: counting wants them as sets)
            if list(map(len, made)) == list(map(len, parts)) and frozenset().union(*made) <= known:
                kinds = list(zip(map(tuple, parts), itertools.repeat(None)))
                sets = made
        for kind, cell_key in enumerate(cell_keys):
            if len(kinds) == len(cell_keys):
                break  # (read all at once above)
            try:
                kinds.append(_ballot(0, *cell_key, vote_type, known, limits))
            except PabulibError:
                if missing_points:
                    break
                line = line_of(which.index(kind))  # the first row casting this ballot
                _ballot(line, *cell_key, vote_type, known, limits)  # says so, with its line
        if missing_points:
            raise PabulibError(f"Line {header_line}: {vote_type} votes need a points column.")
        if names:
            extra = list(zip(*map(column, at_extra), strict=True))
        return columns, Votes(ids, which, kinds, names, extra, sets)
    if vote_cells is not None:
        raise _NotPlain
    ids = []
    seen: set[str] = set()
    refusal: PabulibError | None = None  # the first ballot refused, raised after the rows
    for line, cells in body:
        if len(cells) != width:
            if len(cells) > width:
                raise PabulibError(f"Line {line}: {len(cells)} cells under a header of {width}.")
            cells = cells + [""] * (width - len(cells))
        voter_id = cells[at_id]
        if not voter_id or voter_id in seen:
            raise PabulibError(f"Line {line}: the voter_id {voter_id!r} is empty or repeated.")
        seen.add(voter_id)
        if refusal is not None:
            continue
        cell_key = (cells[at_vote], None if at_points is None else cells[at_points])
        found = kind_of.get(cell_key)
        if found is None:
            try:
                kinds.append(_ballot(line, *cell_key, vote_type, known, limits))
            except PabulibError as error:
                refusal = error
                continue
            found = kind_of[cell_key] = len(kinds) - 1
        ids.append(voter_id)
        which.append(found)
        if extra is not None:
            extra.append(tuple(cells[i] for i in at_extra))
    if vote_type in WITH_POINTS and "points" not in columns:
        raise PabulibError(f"Line {header_line}: {vote_type} votes need a points column.")
    if refusal is not None:
        raise refusal
    return columns, Votes(ids, which, kinds, names, extra)


def _ballot(
    line: int,
    vote_cell: str,
    points_cell: str | None,
    vote_type: str,
    known: set[str],
    limits: Mapping[str, int],
) -> tuple[tuple[str, ...], tuple[int, ...] | None]:
    """The projects and points of a ballot's cells (points_cell None: no points column)."""
    parts = vote_cell.split(",") if vote_cell else []
    if points_cell is None and not limits and (vote_type != CHOOSE_1 or len(parts) < 2):
        unique = set(parts)
        if len(unique) == len(parts) and unique <= known:
            # Known ids have no space around them to strip, and nothing here is limited.
            return tuple(parts), None
    chosen = tuple(_split(vote_cell))
    unknown = [p for p in chosen if p not in known]
    if unknown:
        raise PabulibError(f"Line {line}: the vote names unknown projects {unknown}.")
    if len(set(chosen)) != len(chosen):
        raise PabulibError(f"Line {line}: the vote names a project twice.")
    points = None
    if points_cell is not None:
        points = tuple(_whole(x, f"line {line}: a point") for x in _split(points_cell))
        if not points_cell and chosen and vote_type not in WITH_POINTS:
            points = None  # a ranking or an approval with an empty points cell
        elif len(points) != len(chosen):
            raise PabulibError(f"Line {line}: {len(points)} points for {len(chosen)} projects.")
    _check_ballot(line, vote_type, chosen, points, limits)
    return chosen, points


def _check_ballot(
    line: int,
    vote_type: str,
    chosen: tuple[str, ...],
    points: tuple[int, ...] | None,
    limits: Mapping[str, int],
) -> None:
    """Refuse a ballot the file's own META rules out, naming the line and the reason."""
    if vote_type == CHOOSE_1 and len(chosen) > 1:
        raise PabulibError(f"Line {line}: a choose-1 vote names {len(chosen)} projects.")
    if "max_length" in limits and len(chosen) > limits["max_length"]:
        raise PabulibError(
            f"Line {line}: the vote names {len(chosen)} projects, more than max_length "
            f"{limits['max_length']}."
        )
    if "min_length" in limits and chosen and len(chosen) < limits["min_length"]:
        # (an empty ballot is a voter who chose nothing here; real files have them)
        raise PabulibError(
            f"Line {line}: the vote names {len(chosen)} projects, fewer than min_length "
            f"{limits['min_length']}."
        )
    if points is None or vote_type not in (CUMULATIVE, SCORING, ORDINAL):
        return
    for project, value in zip(chosen, points, strict=True):
        if not 0 <= value <= MAX_POINTS:
            raise PabulibError(
                f"Line {line}: {value} points for project {project!r} are out of range."
            )
        if "max_points" in limits and value > limits["max_points"]:
            raise PabulibError(
                f"Line {line}: {value} points for project {project!r}, more than max_points "
                f"{limits['max_points']}."
            )
        if "min_points" in limits and value < limits["min_points"]:
            raise PabulibError(
                f"Line {line}: {value} points for project {project!r}, fewer than min_points "
                f"{limits['min_points']}."
            )
    total = sum(points)
    if "max_sum_points" in limits and total > limits["max_sum_points"]:
        raise PabulibError(
            f"Line {line}: {total} points in all, more than max_sum_points "
            f"{limits['max_sum_points']}."
        )
    if "min_sum_points" in limits and chosen and total < limits["min_sum_points"]:
        raise PabulibError(
            f"Line {line}: {total} points in all, fewer than min_sum_points "
            f"{limits['min_sum_points']}."
        )


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


def from_scored(
    election: ScoredElection,
    *,
    vote_type: str = CUMULATIVE,
    meta: Mapping[str, str] | None = None,
    project_fields: Mapping[str, Mapping[str, str]] | None = None,
) -> PabulibFile:
    """A pabulib file of a vote with points: cumulative or scoring ballots with a points
    column, or ordinal ballots as rankings (most points first; Borda gives them back when
    they were Borda points), one vote row per voter. `project_fields` as in from_election."""
    if vote_type not in (CUMULATIVE, SCORING, ORDINAL):
        raise PabulibError(f"Points cannot be written as {vote_type} votes.")
    scores = election.scores()
    order = {p: i for i, p in enumerate(election.costs)}
    votes: list[Vote] = []
    for ballot, count in zip(election.ballots, election.ballot_counts(), strict=True):
        given = sorted(
            ((p, x) for p, x in ballot.items() if x > 0),
            key=(lambda px: (-px[1], order[px[0]])) if vote_type == ORDINAL else None,
        )
        if vote_type != ORDINAL:
            given.sort(key=lambda px: order[px[0]])
        chosen = tuple(p for p, _x in given)
        points = None if vote_type == ORDINAL else tuple(x for _p, x in given)
        votes += [Vote(str(len(votes) + i + 1), chosen, points) for i in range(count)]
    generated = {
        "num_projects": str(len(election.costs)),
        "num_votes": str(len(votes)),
        "budget": str(election.budget),
        "vote_type": vote_type,
    }
    extra: list[str] = []
    for fields in (project_fields or {}).values():
        extra += [c for c in fields if c not in extra and c not in ("project_id", "cost", "score")]
    return PabulibFile(
        meta=generated | dict(meta or {}),
        projects=tuple(
            Project(
                p,
                cost,
                {"score": str(scores[p])}
                | {c: (project_fields or {}).get(p, {}).get(c, "") for c in extra},
            )
            for p, cost in election.costs.items()
        ),
        votes=tuple(votes),
        project_columns=("project_id", "cost", "score", *extra),
        vote_columns=("voter_id", "vote")
        if vote_type == ORDINAL
        else ("voter_id", "vote", "points"),
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


# --- counting a file by the rule it states -----------------------------------------------

# pabulib's rule names Samskab counts, and what each completion of the Method of Equal Shares
# is. ("-comparison": the outcome is compared with greedy's, see `_compare`.)
EQUAL_SHARES_RULES = {
    "equalshares": Completion.NONE,
    "equalshares/add1": Completion.ADD1,
    "equalshares-comparison": Completion.NONE,
    "equalshares/add1-comparison": Completion.ADD1,
}
GREEDY_RULES = ("greedy", "greedy-no-skip", "greedy-threshold")
RULES = (*GREEDY_RULES, *EQUAL_SHARES_RULES)
# Samskab's own rule names (Budget.rule), as pabulib writes them; files exported before the
# export wrote pabulib's names carry Samskab's.
SAMSKAB_RULES = {"greedy": "greedy", "mes_cost_add1": "equalshares/add1"}
# Rules pabulib records whose constraints are stated only in the file's comments.
UNCOUNTABLE_RULES = ("greedy-exclusive", "greedy-custom")


def threshold(instance: PabulibFile) -> int:
    """The score a project needs to be funded (META min_project_score_threshold), else 0."""
    raw = instance.meta.get("min_project_score_threshold", "").strip()
    if not raw:
        return 0
    value = _whole(raw, "min_project_score_threshold")
    if not 0 <= value <= MAX_AMOUNT:
        raise PabulibError(f"min_project_score_threshold is out of range: {value}.")
    return value


def tally(
    instance: PabulibFile,
    *,
    rule: str | None = None,
    completion: Completion | None = None,
    utility: Utility = Utility.COST,
    tie_breaking: TieBreaking = TieBreaking.COST_VOTES,
    min_score: int | None = None,
    explain: bool = True,
) -> Outcome:
    """Count `instance` by `rule` (pabulib's names), by default the rule its META states.

    Approval and choose-1 ballots are counted by approvals; cumulative, scoring and ordinal
    ballots by points (greedy: total points; Equal Shares: each voter's points as utility).
    `completion` overrides the completion the rule name implies; `min_score` the threshold.
    `explain=False`: the winners without the reasons of Equal Shares (see `equal_shares`).
    """
    name = (rule or instance.rule).strip().lower()
    name = SAMSKAB_RULES.get(name, name)
    if not name or name == "unknown":
        raise PabulibError(
            "The file does not state the rule that decided it (META rule); choose one."
        )
    if name in UNCOUNTABLE_RULES:
        raise PabulibError(
            f"The rule {name!r} depends on constraints the file describes only in words "
            "(its comment); Samskab cannot count it."
        )
    if name not in RULES:
        raise PabulibError(f"Unknown rule {name!r} (Samskab counts {', '.join(RULES)}).")
    by_points = instance.vote_type not in (APPROVAL, CHOOSE_1)
    scored = instance.scored() if by_points else None
    election = scored.approval() if scored is not None else instance.election()
    scores = scored.scores() if scored is not None else None
    if name in GREEDY_RULES:
        bar = threshold(instance) if min_score is None else min_score
        if name == "greedy-threshold" and not bar and min_score is None:
            raise PabulibError("The rule is greedy-threshold but META has no threshold.")
        return greedy_by_score(
            election,
            scores=scores,
            skip=name != "greedy-no-skip",
            threshold=bar,
            tie_breaking=tie_breaking,
        )
    chosen = EQUAL_SHARES_RULES[name] if completion is None else completion
    if scored is not None:
        outcome = equal_shares_scored(scored, completion=chosen, tie_breaking=tie_breaking)
    else:
        outcome = equal_shares(
            election,
            utility=utility,
            completion=chosen,
            tie_breaking=tie_breaking,
            explain=explain,
        )
    if name.endswith("-comparison"):
        rival = greedy_by_score(election, scores=scores, tie_breaking=tie_breaking)
        return _compare(instance, outcome, rival)
    return outcome


def _compare(instance: PabulibFile, mes: Outcome, rival: Outcome) -> Outcome:
    """equalshares.net's comparison step: keep the Equal Shares outcome unless more voters
    prefer greedy's, a voter preferring the outcome that gives them more (the cost of the
    funded projects they voted for, weighted by their points)."""
    a, b = set(mes.winners), set(rival.winners)
    for_mes = for_rival = 0
    costs = {p.project_id: p.cost for p in instance.projects}
    for projects, given, n in distinct_ballots(instance.votes):
        points = instance.points(Vote("", projects, given))
        mine = sum(costs[p] * x for p, x in points.items() if p in a)
        theirs = sum(costs[p] * x for p, x in points.items() if p in b)
        for_mes += n * (mine > theirs)
        for_rival += n * (theirs > mine)
    return rival if for_rival > for_mes else mes
