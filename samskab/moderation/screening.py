"""Deciding what happens to a new or edited post before it is stored: any text on any
place (a comment, an idea, a proposal); the app that stores it passes the author's recent
texts for the spam score, so this module names no app's model.

Order: closed place and bans refuse; restricted words reject or hold (trusted authors
too: trust skips holding, never the rules of the place); then pre-moderation and the
spam score hold, except for trusted authors.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext as _

from samskab.moderation import spam, words
from samskab.moderation.models import Mode
from samskab.moderation.selectors import active_ban, is_trusted, place_rules, word_rules


class Refused(Exception):
    """A post that may not be stored at all; the message is for the author."""

    def __init__(self, message: str, *, log_reason: str = ""):
        super().__init__(message)
        self.message = message
        self.log_reason = log_reason


# Why a post is held, stored in English (a msgid, or a prefix and its values) and shown in
# the moderator's language by held_reason_text (staff walk finding 34).
PRE_MODERATION = gettext_noop("pre-moderation")
RESTRICTED_WORD = "restricted word: "
SPAM_SCORE = "spam score: "
# Held after reports: stored with the number, put in words when read (held_reason_text).
REPORTED_BY = "reported by signed-in citizens: "
SPAM_SIGNS = {
    "links": gettext_noop("many links"),
    "repetition": gettext_noop("the same text as the author's recent posts"),
    "rate": gettext_noop("many posts in a short time"),
    "new account": gettext_noop("a new account"),
}


def held_reason_text(reason: str) -> str:
    """Why a post is held, in the reader's language; a reason of another kind (a
    moderator's own words) as it was written."""
    if reason.startswith(RESTRICTED_WORD):
        return _("restricted word: %(word)s") % {"word": reason.removeprefix(RESTRICTED_WORD)}
    if reason.startswith(REPORTED_BY) and reason.removeprefix(REPORTED_BY).isdigit():
        n = int(reason.removeprefix(REPORTED_BY))
        return ngettext(
            "Reported by %(n)d signed-in citizen", "Reported by %(n)d signed-in citizens", n
        ) % {"n": n}
    if reason.startswith(SPAM_SCORE):
        signs = [sign.strip() for sign in reason.removeprefix(SPAM_SCORE).split(",")]
        return _("spam score: %(signs)s") % {
            "signs": ", ".join(gettext(SPAM_SIGNS.get(sign, sign)) for sign in signs)
        }
    return gettext(reason) if reason else ""


@dataclass(frozen=True)
class Verdict:
    publish: bool
    reason: str = ""  # why it is held, for moderators
    spam_score: float = 0.0


def check_may_post(*, target, user=None, viewer_key: str = "") -> None:
    rules = place_rules(target)
    if rules.mode == Mode.CLOSED:
        raise Refused(_("This conversation is closed for new comments."))
    if (user is None or not user.is_authenticated) and not rules.allow_anonymous:
        raise Refused(_("Sign in to comment here."))
    ban = active_ban(user=user, viewer_key=viewer_key)
    if ban is not None:
        if ban.until:
            until = timezone.localtime(ban.until).strftime("%d-%m-%Y %H:%M")
            raise Refused(_("You may not post until %(until)s.") % {"until": until})
        raise Refused(_("You may no longer post here."))


def screen(
    *,
    target,
    text: str,
    user=None,
    viewer_key: str = "",
    language: str = "",
    recent: Sequence[tuple[str, datetime]] = (),
) -> Verdict:
    """Raises Refused, or says whether the post is published at once or held.

    `target` is the place written on (its mode and process decide); `recent` the same
    author's texts of the last hour with their times, newest first (the caller's own
    posts: the spam score compares them).
    """
    check_may_post(target=target, user=user, viewer_key=viewer_key)
    matched = words.matches(text, word_rules(language))
    if matched and matched[0].action == "reject":
        raise Refused(
            _("Your comment contains words that are not allowed here. Please rephrase it."),
            log_reason=f"{RESTRICTED_WORD}{matched[0].pattern}",
        )
    if matched:
        return Verdict(False, f"{RESTRICTED_WORD}{matched[0].pattern}")
    if is_trusted(user):
        return Verdict(True)

    now = timezone.now()
    recent = [(body, at) for body, at in recent if at >= now - timedelta(hours=1)][:20]
    has_account = user is not None and user.is_authenticated
    result = spam.score(
        spam.Post(
            text=text,
            recent_texts=tuple(body for body, _at in recent),
            posts_last_10_minutes=sum(1 for _b, at in recent if at >= now - timedelta(minutes=10)),
            account_age=(now - user.date_joined) if has_account else None,
            has_account=has_account,
        )
    )
    if result.holds:
        return Verdict(False, SPAM_SCORE + ", ".join(result.reasons), result.value)
    if place_rules(target).mode == Mode.PRE:
        return Verdict(False, PRE_MODERATION, result.value)
    return Verdict(True, "", result.value)
