"""Whether a feedback text may be sent: the hook for moderation's spam score and
restricted words, which arrive with the moderation app (branch `comments`).

When moderation lands, call its pure spam score and restricted-word check here and return
a message for the sender when the text is refused; feedback_send() already asks.
"""

from django.utils.translation import gettext as _

MAX_LINKS = 5


def feedback_text_refusal(text: str) -> str | None:
    """Why this text is refused, in words for the sender, or None to accept it."""
    # Until moderation's spam score is available: refuse only the plainest link spam.
    if text.count("http://") + text.count("https://") > MAX_LINKS:
        return _("Your message has too many links. Remove some and send it again.")
    return None
