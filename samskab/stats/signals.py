"""What the server already knows, counted as it happens: a vote in a vox pop, a survey
answer, a message of feedback, a comment in a meeting's live blog. The capabilities know
nothing of this app: it listens to their models' post_save signals (connected in apps.py)
and records on commit, without the person."""

from __future__ import annotations

from django.db import transaction

from samskab.stats import ingest

_meeting_of: dict[tuple[str, int], int | None] = {}


def _cached_meeting(label: str, pk: int, lookup) -> int | None:
    key = (label, pk)
    if key not in _meeting_of:
        if len(_meeting_of) > 10_000:
            _meeting_of.clear()
        _meeting_of[key] = lookup(pk)
    return _meeting_of[key]


def _record_later(kind: str, meeting_id: int | None) -> None:
    if meeting_id is None:
        return
    from samskab.stats.models import stats_settings

    def later() -> None:
        if stats_settings().enabled:
            ingest.record(kind, meeting_id=meeting_id)

    transaction.on_commit(later)


def vote_saved(sender, instance, created, **kwargs) -> None:
    if not created:
        return
    from samskab.polls.models import Poll

    meeting_id = _cached_meeting(
        "poll",
        instance.poll_id,
        lambda pk: Poll.objects.filter(pk=pk).values_list("meeting_id", flat=True).first(),
    )
    _record_later("vote", meeting_id)


def answer_saved(sender, instance, created, **kwargs) -> None:
    if not created:
        return
    from samskab.surveys.models import Survey

    meeting_id = _cached_meeting(
        "survey",
        instance.survey_id,
        lambda pk: Survey.objects.filter(pk=pk).values_list("meeting_id", flat=True).first(),
    )
    _record_later("answer", meeting_id)


def feedback_saved(sender, instance, created, **kwargs) -> None:
    if created:
        _record_later("feedback", instance.meeting_id)


def comment_saved(sender, instance, created, **kwargs) -> None:
    if not created:
        return
    from django.contrib.contenttypes.models import ContentType

    from samskab.webcasts.models import Meeting

    if instance.content_type_id == ContentType.objects.get_for_model(Meeting).pk:
        _record_later("comment", int(instance.object_id))
