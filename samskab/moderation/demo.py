"""The demo's moderation: the coming committee meeting's live blog is pre-moderated and open
to viewers without an account, and a few restricted words show how holding works."""

from django.contrib.contenttypes.models import ContentType

from samskab.moderation.models import Mode, ModerationPolicy, RestrictedWord

DEMO_WORDS = [
    ("da", "idiot*", RestrictedWord.Action.HOLD),
    ("da", "*svin", RestrictedWord.Action.HOLD),
    ("en", "idiot*", RestrictedWord.Action.HOLD),
]


def moderation_demo_load(meeting) -> None:
    ModerationPolicy.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(meeting),
        object_id=meeting.pk,
        defaults={"mode": Mode.PRE, "allow_anonymous": True},
    )
    for language, pattern, action in DEMO_WORDS:
        RestrictedWord.objects.get_or_create(
            language=language, pattern=pattern, defaults={"action": action}
        )
