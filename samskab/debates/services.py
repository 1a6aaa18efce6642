"""Every write to debates: opening one, voting, counting, and what staff do.

A vote is one row per person and debate (a unique constraint); changing it updates that
row and removing it deletes it, and the debate's counters and hot score move in the same
transaction, the debate's row locked first so concurrent votes are counted one by one.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from samskab.activity.services import event_record
from samskab.core.markdown import render_markdown
from samskab.core.text import clean_text
from samskab.debates import scoring
from samskab.debates.models import TEXT_MAX, TITLE_MAX, Area, Debate, DebateVote, Tag
from samskab.moderation import words
from samskab.moderation.models import Mode, ModerationPolicy
from samskab.moderation.selectors import active_ban, word_rules
from samskab.places.services import place_set

MAX_TAGS = 6
TAG_MAX = 40


class DebateRefused(Exception):
    """A write that may not happen; the message is for the person who tried."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def cap() -> scoring.Cap:
    return scoring.Cap(
        percent=settings.DEBATES_MAX_UNVERIFIED_VOTE_PERCENT,
        from_votes=settings.DEBATES_UNVERIFIED_CAP_FROM_VOTES,
    )


def tags_parse(text: str) -> list[str]:
    """ "Trafik, skole ,trafik" -> ["trafik", "skole"]: trimmed, lower case, no repeats."""
    found: list[str] = []
    for raw in text.replace(";", ",").split(","):
        name = " ".join(raw.split()).lower()[:TAG_MAX]
        if name and name not in found:
            found.append(name)
    return found


def _screen(*, author, text: str, language: str) -> None:
    """Moderation's restricted words (either action refuses: a debate is not held for a
    moderator, its author rephrases it) and bans."""
    if active_ban(user=author) is not None:
        raise DebateRefused(_("You may no longer post here."))
    if words.matches(text, word_rules(language)):
        raise DebateRefused(
            _("Your debate contains words that are not allowed here. Please rephrase it.")
        )


def debate_open(
    *,
    author,
    title: str,
    text: str,
    tags: Iterable[str] = (),
    area: Area | None = None,
    language: str = "",
) -> Debate:
    title = clean_text(title, line=True).strip()
    text = clean_text(text).strip()
    tags = list(tags)
    if not title or not text:
        raise DebateRefused(_("A debate needs a title and a text."))
    if len(title) > TITLE_MAX or len(text) > TEXT_MAX:
        raise DebateRefused(_("The title or the text is too long."))
    if len(tags) > MAX_TAGS:
        raise DebateRefused(_("Give at most %(n)d tags.") % {"n": MAX_TAGS})
    _screen(author=author, text=f"{title}\n{text}\n{' '.join(tags)}", language=language)
    now = timezone.now()
    with transaction.atomic():
        debate = Debate.objects.create(
            title=title,
            text=text,
            text_html=render_markdown(text),
            author=author,
            language=language,
            area=area,
            created_at=now,
            hot_score=scoring.hot_score(created_at=now, votes=0, comments=0),
        )
        debate.tags.set([Tag.objects.get_or_create(name=name)[0] for name in tags])
        if area is not None:
            # The kernel's place of the debate: the area it is about, by name.
            place_set(target=debate, user=author, address=area.name)
    return debate


def debate_vote(*, debate: Debate, user, value: int | None) -> DebateVote | None:
    """Agree (1), disagree (-1) or take the vote back (None). A second vote replaces the
    first; the debate keeps one vote per person."""
    if value is not None and value not in DebateVote.Value.values:
        raise DebateRefused(_("Choose agree or disagree."))
    with transaction.atomic():
        debate = Debate.objects.select_for_update().get(pk=debate.pk)
        if debate.is_hidden:
            raise DebateRefused(_("This debate is hidden; it takes no votes."))
        if not debate.is_open:
            raise DebateRefused(_("This debate is closed; its votes can no longer change."))
        if not user.has_perm("debates.vote_debate", debate):
            raise DebateRefused(_("Sign in to vote."))
        mine = DebateVote.objects.filter(debate=debate, user=user).first()
        if value is None:
            if mine is not None:
                mine.delete()
                _count(debate)
            return None
        if mine is not None:
            if mine.value != value:
                mine.value = value
                mine.updated_at = timezone.now()
                mine.save(update_fields=["value", "updated_at"])
                _count(debate)
            return mine
        verified = user.is_resident_verified
        if not scoring.unverified_vote_allowed(
            cap=cap(),
            verified=verified,
            changing=False,
            votes=debate.vote_count,
            unverified_votes=debate.unverified_vote_count,
        ):
            raise DebateRefused(
                _(
                    "This debate has as many votes from unverified accounts as it may have. "
                    "Verify that you live in the municipality to vote."
                )
            )
        try:
            with transaction.atomic():
                mine = DebateVote.objects.create(
                    debate=debate, user=user, value=value, verified=verified
                )
        except IntegrityError:  # the same person's other request got there first
            raise DebateRefused(_("You have already voted; try again.")) from None
        _count(debate)
    return mine


def _count(debate: Debate) -> None:
    """The vote counters and the hot score from the rows, for a locked debate."""
    counts = DebateVote.objects.filter(debate=debate).aggregate(
        agree=Count("pk", filter=Q(value=DebateVote.Value.AGREE)),
        disagree=Count("pk", filter=Q(value=DebateVote.Value.DISAGREE)),
        unverified=Count("pk", filter=Q(verified=False)),
    )
    debate.agree_count = counts["agree"]
    debate.disagree_count = counts["disagree"]
    debate.unverified_vote_count = counts["unverified"]
    debate.hot_score = scoring.hot_score(
        created_at=debate.created_at, votes=debate.vote_count, comments=debate.comment_count
    )
    debate.save(
        update_fields=["agree_count", "disagree_count", "unverified_vote_count", "hot_score"]
    )


def _published_comments(debate_ids) -> dict[int, int]:
    from samskab.comments.models import Comment

    kind = ContentType.objects.get_for_model(Debate)
    rows = (
        Comment.objects.filter(
            content_type=kind, object_id__in=debate_ids, status=Comment.Status.PUBLISHED
        )
        .values("object_id")
        .annotate(n=Count("pk"))
    )
    return {row["object_id"]: row["n"] for row in rows}


def debate_recount(*, debate: Debate) -> Debate:
    """Votes, comments and the hot score of one debate, recounted from the rows."""
    with transaction.atomic():
        debate = Debate.objects.select_for_update().get(pk=debate.pk)
        debate.comment_count = _published_comments([debate.pk]).get(debate.pk, 0)
        debate.save(update_fields=["comment_count"])
        _count(debate)
    return debate


def debates_rescore(*, batch: int = 500) -> int:
    """Recount every debate (the periodic command): comments taken down in bulk by a
    moderator, or votes of deleted accounts, leave no counter behind. Returns how many
    debates changed."""
    changed = 0
    ids = list(Debate.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        comments = _published_comments(chunk)
        votes = {
            row["debate"]: row
            for row in DebateVote.objects.filter(debate__in=chunk)
            .values("debate")
            .annotate(
                agree=Count("pk", filter=Q(value=1)),
                disagree=Count("pk", filter=Q(value=-1)),
                unverified=Count("pk", filter=Q(verified=False)),
            )
        }
        for debate in Debate.objects.filter(pk__in=chunk):
            row = votes.get(debate.pk, {"agree": 0, "disagree": 0, "unverified": 0})
            wanted = {
                "agree_count": row["agree"],
                "disagree_count": row["disagree"],
                "unverified_vote_count": row["unverified"],
                "comment_count": comments.get(debate.pk, 0),
            }
            wanted["hot_score"] = scoring.hot_score(
                created_at=debate.created_at,
                votes=row["agree"] + row["disagree"],
                comments=wanted["comment_count"],
            )
            if any(getattr(debate, name) != value for name, value in wanted.items()):
                Debate.objects.filter(pk=debate.pk).update(**wanted)
                changed += 1
    return changed


def debate_comments_changed(*, debate_id: int) -> None:
    """A comment on the debate was posted, moderated or deleted: count them again."""
    debate = Debate.objects.filter(pk=debate_id).first()
    if debate is not None:
        debate_recount(debate=debate)


# --- staff -----------------------------------------------------------------------------


def _require(user, permission: str, debate: Debate, message: str) -> None:
    if not user.has_perm(permission, debate):
        raise DebateRefused(message)


def debate_feature(*, debate: Debate, user, featured: bool = True) -> Debate:
    _require(user, "debates.feature_debate", debate, _("This debate cannot be featured."))
    debate.featured_at = timezone.now() if featured else None
    debate.save(update_fields=["featured_at"])
    if featured:
        event_record(target=debate, kind="featured", actor=user)
    return debate


def _comments_mode(debate: Debate, mode: str) -> None:
    # The comments under a closed debate are closed too (moderation's mode of the place).
    kind = ContentType.objects.get_for_model(Debate)
    ModerationPolicy.objects.update_or_create(
        content_type=kind, object_id=debate.pk, defaults={"mode": mode}
    )


def debate_close(*, debate: Debate, user, note: str = "") -> Debate:
    _require(user, "debates.close_debate", debate, _("This debate cannot be closed."))
    with transaction.atomic():
        debate.status = Debate.Status.CLOSED
        debate.closed_at = timezone.now()
        debate.save(update_fields=["status", "closed_at"])
        _comments_mode(debate, Mode.CLOSED)
        event_record(target=debate, kind="closed", note=note.strip()[:500], actor=user)
    return debate


def debate_reopen(*, debate: Debate, user) -> Debate:
    _require(user, "debates.reopen_debate", debate, _("This debate cannot be reopened."))
    with transaction.atomic():
        debate.status = Debate.Status.OPEN
        debate.closed_at = None
        debate.save(update_fields=["status", "closed_at"])
        _comments_mode(debate, Mode.POST)
        event_record(target=debate, kind="reopened", actor=user)
    return debate


def debate_hide(*, debate: Debate, user, reason: str) -> Debate:
    _require(user, "debates.hide_debate", debate, _("This debate cannot be hidden."))
    reason = clean_text(reason, line=True).strip()[:300]
    if not reason:
        raise DebateRefused(_("Say why the debate is hidden; its author is told."))
    with transaction.atomic():
        debate.hidden_at = timezone.now()
        debate.hidden_reason = reason
        debate.featured_at = None
        debate.save(update_fields=["hidden_at", "hidden_reason", "featured_at"])
        # No mail (followers would be sent to a page they cannot see); the author reads the
        # reason on the debate's own page, which stays open to them.
        event_record(target=debate, kind="hidden", note=reason, actor=user, notify=False)
    return debate


def debate_restore(*, debate: Debate, user) -> Debate:
    _require(user, "debates.restore_debate", debate, _("This debate cannot be restored."))
    with transaction.atomic():
        debate.hidden_at = None
        debate.hidden_reason = ""
        debate.save(update_fields=["hidden_at", "hidden_reason"])
        event_record(target=debate, kind="restored", actor=user, notify=False)
    return debate
