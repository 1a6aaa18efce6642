"""After webcasts_seed: a moderator's session for the live blog's browser tests (one JSON line)."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.e2e.webcasts_seed import session_for  # sets Django up


def published_comment() -> int:
    """A citizen's published post on the past meeting, for reporting."""
    from samskab.accounts.models import User
    from samskab.comments.models import Comment
    from samskab.core.markdown import render_markdown
    from samskab.webcasts.demo import PAST_ID
    from samskab.webcasts.models import Meeting

    body = "Tak for et godt møde om skolevejene."
    comment = Comment.objects.create(
        target=Meeting.objects.get(external_id=PAST_ID),
        author=User.objects.filter(is_staff=False).order_by("pk").first(),
        body=body,
        body_html=render_markdown(body),
        status=Comment.Status.PUBLISHED,
    )
    return comment.pk


if __name__ == "__main__":
    print(
        json.dumps(
            {
                "moderator": session_for("moderator@demo.samskab.dk"),
                "published": published_comment(),
            }
        )
    )
