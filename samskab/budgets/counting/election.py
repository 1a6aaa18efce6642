"""The plain data a budget count takes (an election) and gives back (an outcome with reasons).

Amounts are whole currency units. Everything a rule reports is exact: money that is not a
whole amount (a voter's share, a payment split between supporters) is a `Fraction`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

# The largest amount (a budget, a heading's amount, a project's price) Samskab takes in, from
# a form, the admin, the API or a pabulib file: far above any municipal budget, and small
# enough that counting never meets a number too large for a float (security review L3).
MAX_AMOUNT = 10**15 - 1


@dataclass(frozen=True)
class Election:
    """One heading's vote: its amount, the projects' costs and the voters' approval ballots.

    `costs` lists the projects in a fixed order; that order is the last tie-breaker of the
    default tie-breaking (put the projects in the order a lot was drawn for a lottery).
    `counts`, when given, says how many voters cast each ballot in `approvals`, so identical
    ballots can be stored once; without it every ballot is one voter.
    """

    budget: int
    costs: Mapping[str, int]
    approvals: Sequence[frozenset[str]]
    counts: Sequence[int] | None = None

    def __post_init__(self) -> None:
        if isinstance(self.budget, bool) or not isinstance(self.budget, int) or self.budget < 0:
            raise ValueError(
                f"The budget must be a whole amount of at least 0, not {self.budget!r}."
            )
        for project, cost in self.costs.items():
            if isinstance(cost, bool) or not isinstance(cost, int) or cost < 0:
                raise ValueError(f"Project {project!r} must cost a whole amount of at least 0.")
        known = self.costs.keys()
        if not frozenset().union(*self.approvals) <= known:  # (one check, then find which)
            for index, ballot in enumerate(self.approvals):
                if not ballot <= known:
                    unknown = ", ".join(sorted(repr(p) for p in ballot - known))
                    raise ValueError(f"Ballot {index} approves unknown projects: {unknown}.")
        if self.counts is not None:
            if len(self.counts) != len(self.approvals):
                raise ValueError("There must be one count for each ballot.")
            if not set(map(type, self.counts)) <= {int} or min(self.counts, default=0) < 0:
                raise ValueError("Ballot counts must be whole numbers of at least 0.")

    @property
    def voters(self) -> int:
        """How many voters took part (a blank ballot counts: that voter gets a share too)."""
        return len(self.approvals) if self.counts is None else sum(self.counts)

    def ballot_counts(self) -> Sequence[int]:
        return [1] * len(self.approvals) if self.counts is None else self.counts

    def votes(self) -> dict[str, int]:
        """How many voters approve each project, in the order of `costs`."""
        tally = dict.fromkeys(self.costs, 0)
        for ballot, count in zip(self.approvals, self.ballot_counts(), strict=True):
            for project in ballot:
                tally[project] += count
        return tally


class Utility(StrEnum):
    """What a funded project is worth to a voter who approves it (Method of Equal Shares)."""

    COST = "cost"  # its cost: equalshares.net's default, pabutools' Cost_Sat
    CARDINALITY = "cardinality"  # 1 for each approved project: pabutools' Cardinality_Sat


class Completion(StrEnum):
    """What the Method of Equal Shares does with money its first pass leaves unspent.

    The names are equalshares.net's. Add1 raises every voter's share one unit at a time and
    keeps the last outcome that fits in the budget; the "exhaustive" variants also stop as soon
    as no approved project could be added (equalshares.net's recommended box, and pabutools'
    `voter_budget_increment`). The official Wieliczka 2023 count did not stop there.
    """

    NONE = "none"
    UTILITARIAN = "utilitarian"  # fill up with the most-voted projects that still fit
    ADD1 = "add1"
    ADD1_EXHAUSTIVE = "add1e"
    ADD1_UTILITARIAN = "add1u"  # Add1, then fill up as UTILITARIAN
    ADD1_EXHAUSTIVE_UTILITARIAN = "add1eu"  # equalshares.net's tool default

    @property
    def raises_shares(self) -> bool:
        return self.value.startswith("add1")

    @property
    def stops_when_exhaustive(self) -> bool:
        return self in (Completion.ADD1_EXHAUSTIVE, Completion.ADD1_EXHAUSTIVE_UTILITARIAN)

    @property
    def fills_up(self) -> bool:
        return self in (
            Completion.UTILITARIAN,
            Completion.ADD1_UTILITARIAN,
            Completion.ADD1_EXHAUSTIVE_UTILITARIAN,
        )


class Reason(StrEnum):
    """Why a project won or lost."""

    CHOSEN = "chosen"  # picked by the rule itself
    COMPLETION = "completion"  # added by a utilitarian completion after the rule
    NO_SUPPORTERS = "no_supporters"  # nobody approved it
    UNAFFORDABLE = "unaffordable"  # its supporters' remaining shares could not pay for it
    DID_NOT_FIT = "did_not_fit"  # it cost more than what was left of the budget
    BELOW_THRESHOLD = "below_threshold"  # its score was under the minimum a winner needs


class TieBreak(StrEnum):
    """Which criterion settled a tie between projects equally good by the rule's own measure."""

    COST = "cost"  # the cheaper project
    VOTES = "votes"  # the one with more votes
    ORDER = "order"  # the one listed first (a lot, if the list was drawn)
    ID = "id"  # the lower project id, compared as text (pabutools' lexicographic order)
    HIGHER_ID = "higher_id"  # the higher project id (CONSUL: the newer investment)


class TieBreaking(StrEnum):
    """How a rule settles ties between projects equally good by its own measure.

    MES ties are equal prices per unit of utility; greedy ties are equal vote counts.
    - COST_VOTES: lower cost, then more votes, then the listing order (equalshares.net's advice).
    - ID: the lower project id as text, as pabutools' `lexico_tie_breaking` compares names.
    - CONSUL: more votes, then the higher id (numerically when every id is a whole number),
      as CONSUL's `Budget::Result` orders investments.
    """

    COST_VOTES = "cost-votes"
    ID = "id"
    CONSUL = "consul"

    def keys(
        self, ids: Sequence[str], costs: Sequence[int], votes: Sequence[int]
    ) -> tuple[tuple[tuple[int, ...], ...], tuple[TieBreak, ...]]:
        """A sort key per project (smaller wins a tie) and what each position of it means."""
        if self is TieBreaking.ID:
            rank = _ranks(ids, key=lambda i: ids[i])
            return tuple((rank[i],) for i in range(len(ids))), (TieBreak.ID,)
        if self is TieBreaking.CONSUL:
            numeric = all(p.isascii() and p.isdigit() for p in ids)
            rank = _ranks(
                ids, key=(lambda i: (int(ids[i]), ids[i])) if numeric else ids.__getitem__
            )
            return (
                tuple((-votes[i], -rank[i]) for i in range(len(ids))),
                (TieBreak.VOTES, TieBreak.HIGHER_ID),
            )
        return (
            tuple((costs[i], -votes[i], i) for i in range(len(ids))),
            (TieBreak.COST, TieBreak.VOTES, TieBreak.ORDER),
        )


def _ranks(ids: Sequence[str], key: Callable[[int], Any]) -> list[int]:
    """Each position's rank when the projects are sorted by `key` (ids are unique)."""
    rank = [0] * len(ids)
    for r, i in enumerate(sorted(range(len(ids)), key=key)):
        rank[i] = r
    return rank


@dataclass(frozen=True)
class Round:
    """One round of the Method of Equal Shares: which project was bought and who paid.

    Every supporter pays the same `max_payment`, except those who had less left: they pay
    all they had (`exhausted` voters, paying `paid_by_exhausted` between them).
    """

    number: int  # 1, 2, ...
    project: str
    cost: int
    rho: Fraction  # price per unit of utility; the rule buys the lowest first
    max_payment: Fraction
    effective_votes: Fraction  # cost / max_payment: the votes the project is worth now
    payers: int  # supporters paying max_payment
    exhausted: int
    paid_by_exhausted: Fraction
    tied_with: tuple[str, ...] = ()  # projects with the same rho this round
    tie_break: TieBreak | None = None


@dataclass(frozen=True)
class Verdict:
    """A project's result and the reason for it."""

    project: str
    cost: int
    votes: int
    reason: Reason
    # MES: the round that bought it, or after which it could no longer be paid (0 = from the
    # start); greedy and completions: its place in the order of examination (1, 2, ...).
    step: int | None = None
    # UNAFFORDABLE: what its supporters had left then, against its cost.
    money_behind: Fraction | None = None
    # DID_NOT_FIT: what was left of the budget when it was examined.
    budget_left: int | None = None
    # UNAFFORDABLE: what its supporters had paid towards other winners until then, most first.
    spent_elsewhere: tuple[tuple[str, Fraction], ...] = ()

    @property
    def won(self) -> bool:
        return self.reason in (Reason.CHOSEN, Reason.COMPLETION)

    @property
    def effective_support(self) -> Fraction | None:
        """For an unaffordable project, the share of its cost its supporters could still pay."""
        if self.money_behind is None or self.cost == 0:
            return None
        return self.money_behind / self.cost


class Deferred(Sequence[Any]):
    """A sequence worked out only when it is first read (then kept): what every voter paid
    costs more to gather than the count itself on a large election, and most callers (`pb
    tally`, `pb verify`) never read it."""

    __slots__ = ("_items", "_make")

    def __init__(self, make: Callable[[], Sequence[Any]]) -> None:
        self._make = make
        self._items: Sequence[Any] | None = None

    def _get(self) -> Sequence[Any]:
        if self._items is None:
            self._items = self._make()
        return self._items

    def __len__(self) -> int:
        return len(self._get())

    def __getitem__(self, i):  # type: ignore[no-untyped-def, override]
        return self._get()[i]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._get())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return list(self._get()) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._get())


@dataclass(frozen=True)
class Outcome:
    """The winners, in the order they were chosen, and a verdict for every project."""

    rule: str
    budget: int
    winners: tuple[str, ...]
    verdicts: Mapping[str, Verdict]  # in the election's project order
    rounds: tuple[Round, ...] = ()  # the Method of Equal Shares only
    endowment: Fraction | None = None  # the share each voter finally had (MES)
    first_endowment: Fraction | None = None  # the share Add1 started from
    runs: int = 0  # how many MES passes the completion needed to compute
    # MES: what each ballot's voter paid from their share for each project the rule bought (by
    # ballot index in the election; identical ballots share one mapping). Projects added by a
    # utilitarian completion are paid from what is left of the budget, not from shares.
    # (Worked out when first read: see `Deferred`.)
    spending: Sequence[Mapping[str, Fraction]] = ()

    @property
    def cost(self) -> int:
        return sum(self.verdicts[p].cost for p in self.winners)
