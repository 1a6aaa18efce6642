"""Whether a feedback message may be sent: moderation's restricted words and spam score.

A message is private mail to staff, not a public post, so the moderation rules apply
like this: a restricted word with the action "reject" refuses the message with a message
for the sender; a word with the action "hold", or a spam score that would hold a comment,
keeps the message in the inbox without e-mailing it (staff see why in its note).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from samskab.moderation import spam, words
from samskab.moderation.selectors import word_rules

# More links than this is refused outright; fewer still count in the spam score.
MAX_LINKS = 5


@dataclass(frozen=True)
class Check:
    refusal: str | None = None  # for the sender: the message is not stored
    hold: str = ""  # for staff: stored, not e-mailed


def feedback_check(*, text: str, email: str = "", language: str = "") -> Check:
    from samskab.feedback.models import FeedbackMessage

    if spam.link_count(text) > MAX_LINKS:
        return Check(refusal=_("Your message has too many links. Remove some and send it again."))
    matched = words.matches(text, word_rules(language))
    if matched and matched[0].action == "reject":
        return Check(
            refusal=_(
                "Your message contains words that are not allowed. Please rephrase it "
                "and send it again."
            )
        )
    if matched:
        return Check(hold=f"restricted word: {matched[0].pattern}")
    now = timezone.now()
    recent: list = []
    if email:  # the only thing that links a sender's messages, and only if they gave it
        recent = list(
            FeedbackMessage.objects.filter(
                email__iexact=email, created_at__gte=now - timedelta(hours=1)
            )
            .order_by("-created_at")
            .values_list("message", "created_at")[:20]
        )
    result = spam.score(
        spam.Post(
            text=text,
            recent_texts=tuple(message for message, _at in recent),
            posts_last_10_minutes=sum(1 for _m, at in recent if at >= now - timedelta(minutes=10)),
            account_age=None,
            has_account=False,
        )
    )
    if result.holds:
        return Check(hold="spam score: " + ", ".join(result.reasons))
    return Check()
