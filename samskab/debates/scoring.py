"""The debates' orders and the cap on unverified votes, as plain arithmetic (no Django).

The hot score is how lively a debate is, decaying with its age: activity (votes, and
comments counted double, since writing takes more than a click) loses a factor of ten every
`DECADE` of age. Stored as a logarithm measured from a fixed epoch,

    log10(1 + activity) + (created - EPOCH) / DECADE

which orders debates exactly as activity * 10 ** (-age / DECADE) does at any moment (the
age of every debate grows by the same amount), so the stored value changes only when the
debate's own activity does: on a vote or a comment, never on a timer. A debate three days
newer than another is as hot with a tenth of its activity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
DECADE = timedelta(days=3)
COMMENT_WEIGHT = 2


def hot_score(*, created_at: datetime, votes: int, comments: int) -> float:
    activity = max(0, votes) + COMMENT_WEIGHT * max(0, comments)
    age_from_epoch = (created_at - EPOCH).total_seconds() / DECADE.total_seconds()
    return round(math.log10(1 + activity) + age_from_epoch, 6)


def hot_score_sql(*, created_at: str, votes: str, comments: str) -> str:
    """`hot_score` as a PostgreSQL expression of three SQL expressions, for a counter that
    moves in the database (proposals' supports): the same double arithmetic (the C
    library's log10, the age as seconds over DECADE) and the same rounding to 6 decimals
    (of the value's shortest decimal form, which Python's `round` also gives except for
    a tie at the 7th decimal). A test compares the two on PostgreSQL."""
    activity = f"(GREATEST(0, {votes}) + {COMMENT_WEIGHT} * GREATEST(0, {comments}))"
    age = (
        f"(extract(epoch from ({created_at}) - timestamptz '{EPOCH.isoformat()}')::float8"
        f" / {DECADE.total_seconds()}::float8)"
    )
    return f"round((log((1 + {activity})::float8) + {age})::text::numeric, 6)::float8"


def hotness_now(*, score: float, now: datetime) -> float:
    """The activity a stored score is worth today (for reading, not ordering)."""
    age_from_epoch = (now - EPOCH).total_seconds() / DECADE.total_seconds()
    return 10 ** (score - age_from_epoch)


@dataclass(frozen=True)
class Cap:
    """At most `percent` % of a debate's votes may come from accounts that are not
    verified residents, once it has `from_votes` votes (below that the share means little;
    CONSUL waits for 100). 100 turns the cap off."""

    percent: int
    from_votes: int


def unverified_vote_allowed(
    *, cap: Cap, verified: bool, changing: bool, votes: int, unverified_votes: int
) -> bool:
    """May this vote be cast? A verified resident always; a person changing a vote they
    already gave always (the counts do not change); an unverified person while the share
    of unverified votes, counting this one, stays within the cap."""
    if verified or changing or cap.percent >= 100:
        return True
    if votes < cap.from_votes:
        return True
    return (unverified_votes + 1) * 100 <= cap.percent * (votes + 1)
