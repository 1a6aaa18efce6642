"""Who may do what with a binding vote in each phase. Services ask the same permissions.

Editors and administrators prepare, open, close and publish a vote. Verified residents vote
on the web while it is open (who exactly may is the vote's rule, `selectors.eligibility`,
told to the person before the ballot). Poll officers look people up and record paper votes
only at a booth where they are on shift now; they enter the booth's totals once their shift
there has begun. Results are read only once published.
"""

import rules
from django.utils import timezone

from samskab.accounts.roles import (
    is_administrator,
    is_editor,
    is_poll_officer,
    is_verified_resident,
)


def _vote_of(obj):
    return getattr(obj, "vote", obj)


@rules.predicate
def is_draft(user, obj) -> bool:
    return obj is not None and _vote_of(obj).status == "draft"


@rules.predicate
def is_open(user, obj) -> bool:
    return obj is not None and _vote_of(obj).status == "open"


@rules.predicate
def is_closed(user, obj) -> bool:
    return obj is not None and _vote_of(obj).status == "closed"


@rules.predicate
def is_published(user, obj) -> bool:
    return obj is not None and _vote_of(obj).status == "published"


@rules.predicate
def is_on_shift(user, booth) -> bool:
    """On shift at this booth now."""
    if booth is None or not user.is_authenticated:
        return False
    now = timezone.now()
    return booth.shifts.filter(officer=user, starts_at__lte=now, ends_at__gt=now).exists()


@rules.predicate
def has_worked_at(user, booth) -> bool:
    """A shift at this booth that has begun (totals are entered at the end of the day)."""
    if booth is None or not user.is_authenticated:
        return False
    return booth.shifts.filter(officer=user, starts_at__lte=timezone.now()).exists()


is_vote_manager = is_editor | is_administrator

rules.add_perm("votes.manage_vote", is_vote_manager)
rules.add_perm("votes.view_vote", ~is_draft | is_vote_manager)
rules.add_perm("votes.cast_vote", is_verified_resident & is_open)
rules.add_perm("votes.open_vote", is_vote_manager & is_draft)
rules.add_perm("votes.close_vote", is_vote_manager & is_open)
rules.add_perm("votes.publish_vote", is_vote_manager & is_closed)
rules.add_perm("votes.view_results", is_published)
# Booth permissions take the booth.
rules.add_perm("votes.officiate_booth", is_poll_officer & is_on_shift & is_open)
rules.add_perm(
    "votes.count_booth",
    ((is_poll_officer & has_worked_at) | is_vote_manager) & (is_open | is_closed),
)
rules.add_perm("votes.accept_count", is_vote_manager & (is_open | is_closed))
# Answers carry pictures and documents (the attachments kernel): staff add them.
rules.add_perm("votes.attach_answer", is_vote_manager)
# The kernel's capabilities on the vote itself: following it, and its place (the area).
rules.add_perm("votes.follow_bindingvote", rules.is_authenticated & ~is_draft)
rules.add_perm("votes.locate_bindingvote", is_vote_manager)
