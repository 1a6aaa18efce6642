"""A local spam score for citizen text, from plain data; no Django, no third party.

The score adds up signs that a post was written by a machine or a flooder: many links,
the same text as the author's recent posts, a burst of posts, a brand-new account.
A score at or above HOLD_AT holds the post for a moderator; nothing is rejected by score.
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta
from difflib import SequenceMatcher

HOLD_AT = 1.0

_LINK = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)


@dataclass(frozen=True)
class Post:
    text: str
    # Bodies of the author's posts of the last hour, newest first.
    recent_texts: tuple[str, ...] = field(default_factory=tuple)
    # How many posts the author made in the last ten minutes (this one not counted).
    posts_last_10_minutes: int = 0
    # Age of the account; None for a viewer without an account.
    account_age: timedelta | None = None
    has_account: bool = True


@dataclass(frozen=True)
class Score:
    value: float
    reasons: tuple[str, ...]

    @property
    def holds(self) -> bool:
        return self.value >= HOLD_AT


def link_count(text: str) -> int:
    return len(_LINK.findall(text))


def _normalised(text: str) -> str:
    return " ".join(text.lower().split())


def repetition(text: str, recent: tuple[str, ...]) -> float:
    """The highest similarity (0..1) between `text` and one of the recent texts."""
    mine = _normalised(text)
    if not mine:
        return 0.0
    best = 0.0
    for other in recent[:20]:
        ratio = SequenceMatcher(None, mine, _normalised(other)).ratio()
        best = max(best, ratio)
    return best


def score(post: Post) -> Score:
    value = 0.0
    reasons: list[str] = []
    links = link_count(post.text)
    if links >= 3:
        value += 0.4 * (links - 2)
        reasons.append("links")
    elif links and (post.account_age is None or post.account_age < timedelta(days=1)):
        value += 0.3
        reasons.append("links")
    if repetition(post.text, post.recent_texts) >= 0.9:
        value += 1.0
        reasons.append("repetition")
    if post.posts_last_10_minutes >= 5:
        value += 0.25 * (post.posts_last_10_minutes - 4)
        reasons.append("rate")
    if post.has_account and post.account_age is not None and post.account_age < timedelta(hours=1):
        value += 0.3
        reasons.append("new account")
    elif not post.has_account:
        value += 0.1
    return Score(round(value, 2), tuple(reasons))
