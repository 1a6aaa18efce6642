"""What the test capability gives the kernel besides its rules: how moderation holds,
approves, hides and restores an idea, where an idea is, and how many one person may
support (two per box)."""

from django.utils.html import escape

from samskab.core.targets import Moderated, Post, Where

MAX_SUPPORTS_PER_BOX = 2


def describe(idea) -> Post:
    return Post(
        text_html=f"<p>{escape(idea.title)}</p>",
        text=idea.title,
        display_name=idea.author.public_name if idea.author else "",
        created_at=idea.created_at,
        state=idea.state,
        reason=idea.reason,
        author=idea.author,
        language=idea.language,
    )


def _set(idea, state: str, reason: str = "") -> None:
    idea.state, idea.reason = state, reason
    idea.save(update_fields=["state", "reason"])


def held():
    from samskab.core.tests.kernelapp.models import Idea

    return Idea.objects.filter(state=Moderated.HELD)


MODERATED = Moderated(
    describe=describe,
    held=held,
    hold=lambda idea, reason: _set(idea, Moderated.HELD, reason),
    approve=lambda idea: _set(idea, Moderated.PUBLISHED),
    hide=lambda idea, reason, spam: _set(
        idea, Moderated.HIDDEN if idea.state == Moderated.PUBLISHED else Moderated.REJECTED, reason
    ),
    restore=lambda idea: _set(idea, Moderated.PUBLISHED),
)


def support_limit(user, idea) -> str:
    from samskab.supports.models import Support

    supported = Support.objects.filter(
        user=user,
        content_type__app_label="kernelapp",
        content_type__model="idea",
        object_id__in=idea.box.ideas.values("pk"),
    ).count()
    if supported >= MAX_SUPPORTS_PER_BOX:
        return f"At most {MAX_SUPPORTS_PER_BOX} ideas per box."
    return ""


def where(idea, at=None) -> Where:
    return Where(f"{idea.box} · {idea}", idea.get_absolute_url())
