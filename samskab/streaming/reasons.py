"""Why a restream failed, in the operator's words and language.

The ingest reports the technical reason in English (rtmppush's PushError, ffmpeg's last
line of errors); it stays as it is in the destination's state and the server log, and the
console shows what it means. Reasons that are msgids (destinations.BadDestination) are
translated as they are.
"""

import re

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# The first pattern that matches says it; the order matters (a refused connection inside
# ffmpeg's "Error opening output files: Connection refused").
KNOWN: list[tuple[re.Pattern[str], Promise]] = [
    (
        re.compile(
            r"^Could not connect to |Connection refused|timed out|No route to host"
            r"|Name or service not known|Temporary failure in name resolution",
            re.IGNORECASE,
        ),
        _("Samskab could not reach the destination. Check its server address."),
    ),
    (
        re.compile(r"^The destination refused"),
        _(
            "The destination refused the broadcast. Check the stream key, and that the "
            "platform expects a broadcast now."
        ),
    ),
    (
        re.compile(r"^The destination answered with RTMP version"),
        _("The destination does not answer as a streaming server. Check its server address."),
    ),
    (
        re.compile(
            r"^The destination (broke off|closed the connection)|^Not connected\."
            r"|Broken pipe|Connection reset",
            re.IGNORECASE,
        ),
        _("The destination broke off the connection."),
    ),
    (
        re.compile(r"^The destination fell behind"),
        _("The connection to the destination was too slow; sending starts again."),
    ),
]


def reason_text(reason: str) -> str:
    """The reason a destination failed, for the console ("" when none is known)."""
    if not reason:
        return ""
    translated = gettext(reason)
    if translated != reason:
        return translated
    for pattern, words in KNOWN:
        if pattern.search(reason):
            return str(words)
    return gettext("Sending stopped unexpectedly. The server log has the details.")
