"""The operator console (W4) and the editors' timeline editor.

Every action is a plain form POST that works without JavaScript (post, redirect, get).
console.js sends the same forms with fetch; those requests get the "now" panel back as a
partial so the console updates without a reload.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from samskab import live
from samskab.webcasts import rehearsal, services, thumbnails
from samskab.webcasts.models import AgendaItem, Meeting, Person, Slide, SlideDeck, TimelineMark
from samskab.webcasts.player import HLS_SCRIPT, with_player_csp
from samskab.webcasts.recording import hls_url
from samskab.webcasts.selectors import closed_session_now, meeting_state
from samskab.webcasts.tasks import make_timeline_strip
from samskab.webcasts.timecode import format_offset_ms, parse_offset_ms

Kind = TimelineMark.Kind
HAND_KINDS = [
    (Kind.ITEM, gettext_lazy("Agenda item starts")),
    (Kind.SPEAKER, gettext_lazy("Speaker starts")),
    (Kind.SLIDE, gettext_lazy("Slide shown")),
    (Kind.BREAK, gettext_lazy("Break")),
]


def meeting_for(request: HttpRequest, pk: int, permission: str) -> Meeting:
    meeting = get_object_or_404(Meeting.objects.select_related("body"), pk=pk)
    if not request.user.has_perm(permission, meeting):
        raise PermissionDenied
    return meeting


def is_fetch(request: HttpRequest) -> bool:
    # console.js and timeline.js mark their requests; a plain form post has no such header.
    return request.headers.get("X-Requested-With") == "fetch"


class MarkForm(forms.Form):
    kind = forms.ChoiceField(choices=HAND_KINDS)
    item = forms.ModelChoiceField(queryset=AgendaItem.objects.none(), required=False)
    person = forms.ModelChoiceField(queryset=Person.objects.none(), required=False)
    slide = forms.ModelChoiceField(queryset=Slide.objects.none(), required=False)

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = AgendaItem.objects.filter(meeting=meeting)
        self.fields["person"].queryset = Person.objects.all()
        self.fields["slide"].queryset = Slide.objects.filter(
            deck__agenda_item__meeting=meeting
        ).select_related("deck")

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "agenda_item": data.get("item"),
            "person": data.get("person"),
            "slide": data.get("slide"),
        }


def first_error(form: forms.Form) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return _("The form is not valid.")


def console_context(meeting: Meeting, session) -> dict:
    rehearsing = rehearsal.is_rehearsing(session, meeting)
    rehearsal_log: list[dict] = []
    if rehearsing:
        state, rehearsal_log = rehearsal.rehearsal_view(session, meeting)
    else:
        state = meeting_state(meeting)
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .order_by("position", "pk")
        .prefetch_related(
            Prefetch(
                "slide_decks",
                queryset=SlideDeck.objects.prefetch_related(
                    Prefetch("slides", queryset=Slide.objects.order_by("number"))
                ),
            )
        )
    )
    current_item_id = state["item"]["id"] if state.get("item") else None
    current_item = next((item for item in items if item.pk == current_item_id), None)
    # The console's speaker grid: by party, then name, so a party's seats sit together.
    speakers = list(meeting.speakers.filter(is_active=True).order_by("party", "name"))
    if not speakers:
        speakers = list(
            Person.objects.filter(is_active=True, kind=Person.Kind.POLITICIAN).order_by(
                "party", "name"
            )
        )
    others = Person.objects.filter(is_active=True).exclude(pk__in=[p.pk for p in speakers])
    recent = (
        TimelineMark.objects.filter(meeting=meeting)
        .select_related("agenda_item", "person", "slide__deck")
        .order_by("-created_at", "-pk")[:8]
    )
    return {
        "meeting": meeting,
        "state": state,
        "viewers": viewers_now(meeting),
        "items": items,
        "current_item": current_item,
        "speakers": speakers,
        "other_people": list(others.order_by("name")),
        "recent_marks": list(recent),
        "is_live": meeting.status == Meeting.Status.LIVE,
        "rehearsing": rehearsing,
        "rehearsal_log": rehearsal_log,
        "marking": rehearsing or meeting.status == Meeting.Status.LIVE,
        "closed_session": closed_session_now(meeting.pk),
    }


def viewers_now(meeting: Meeting) -> int | None:
    """Open connections on the meeting's channel while it is live (None otherwise)."""
    if meeting.status != Meeting.Status.LIVE:
        return None
    try:
        return live.viewer_count(meeting.channel)
    except live.LiveUnavailable:
        return None


@login_required
@never_cache  # the page holds the stream key
@require_GET
def console(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, "webcasts.operate_meeting")
    context = console_context(meeting, request.session)
    if request.GET.get("partial") == "now":
        return render(request, "webcasts/partials/console_now.html", context)
    context["can_edit_timeline"] = request.user.has_perm("webcasts.edit_timeline", meeting)
    context.update(preview_context(meeting))
    return with_player_csp(render(request, "webcasts/console.html", context), meeting)


def preview_context(meeting: Meeting) -> dict:
    """The console's preview plays what the public gets: our HLS (or the meeting's HLS
    address) through the player's hls.js, tuned to stay near the live edge."""
    url = hls_url(meeting)
    external = meeting.video_kind in (Meeting.VideoKind.YOUTUBE, Meeting.VideoKind.FACEBOOK)
    return {"preview_url": url, "preview_elsewhere": external, "hls_script": HLS_SCRIPT}


def _console_answer(
    request: HttpRequest, meeting: Meeting, *, error: str = "", done: str = ""
) -> HttpResponse:
    if is_fetch(request):
        context = console_context(meeting, request.session)
        context.update({"error": error, "done": done})
        return render(
            request, "webcasts/partials/console_now.html", context, status=400 if error else 200
        )
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    return redirect("webcasts:console", pk=meeting.pk)


def _validation_text(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


@login_required
@require_POST
def console_mark(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, "webcasts.operate_meeting")
    form = MarkForm(request.POST, meeting=meeting)
    if not form.is_valid():
        return _console_answer(request, meeting, error=first_error(form))
    if rehearsal.is_rehearsing(request.session, meeting):
        try:
            rehearsal.rehearsal_mark(request.session, meeting, **form.service_arguments())
        except ValidationError as error:
            return _console_answer(request, meeting, error=_validation_text(error))
        done = _("Rehearsal: marked, not published.")
        item = form.cleaned_data.get("item")
        if form.cleaned_data["kind"] == Kind.ITEM and item is not None and not item.is_public:
            done += " " + _("Live, marking a closed item starts the closed session.")
        return _console_answer(request, meeting, done=done)
    was_closed = closed_session_now(meeting.pk)
    try:
        mark = services.mark_add(meeting=meeting, by=request.user, **form.service_arguments())
    except ValidationError as error:
        return _console_answer(request, meeting, error=_validation_text(error))
    done = _("Marked: %(mark)s") % {"mark": describe(mark)}
    item = mark.agenda_item if mark.kind == Kind.ITEM else None
    if item is not None and not item.is_public and not was_closed:
        done += " " + _(
            "This item is closed, so the closed session has started: the public sees the "
            "slate. Press End the closed session when the doors open."
        )
    elif item is not None and item.is_public and was_closed:
        done += " " + _(
            "The meeting is still in closed session: press End the closed session when the "
            "doors open."
        )
    return _console_answer(request, meeting, done=done)


@login_required
@require_POST
def console_undo(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, "webcasts.operate_meeting")
    if rehearsal.is_rehearsing(request.session, meeting):
        try:
            rehearsal.rehearsal_undo(request.session, meeting)
        except ValidationError as error:
            return _console_answer(request, meeting, error=_validation_text(error))
        return _console_answer(request, meeting, done=_("Rehearsal: undone."))
    try:
        mark = services.mark_undo(meeting=meeting, by=request.user)
    except ValidationError as error:
        return _console_answer(request, meeting, error=_validation_text(error))
    return _console_answer(request, meeting, done=_("Undone: %(mark)s") % {"mark": describe(mark)})


@login_required
@require_POST
def console_closed_session(request: HttpRequest, pk: int) -> HttpResponse:
    """Start or end the closed session: the public stream shows the slate meanwhile."""
    meeting = meeting_for(request, pk, "webcasts.operate_meeting")
    closed = request.POST.get("closed") == "1"
    try:
        services.closed_session_set(meeting=meeting, closed=closed, by=request.user)
    except ValidationError as error:
        return _console_answer(request, meeting, error=_validation_text(error))
    done = (
        _("Closed session: the public now sees the slate, not the chamber.")
        if closed
        else _("The meeting is public again: the public sees the chamber.")
    )
    return _console_answer(request, meeting, done=done)


@login_required
@require_POST
def console_go_live(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, "webcasts.operate_meeting")
    try:
        services.meeting_go_live(meeting=meeting, by=request.user)
    except ValidationError as error:
        messages.error(request, _validation_text(error))
    else:
        rehearsal.rehearsal_end(request.session, meeting)  # its marks are discarded
        messages.success(request, _("The meeting is live."))
    return redirect("webcasts:console", pk=meeting.pk)


@login_required
@require_POST
def console_rehearsal(request: HttpRequest, pk: int) -> HttpResponse:
    """Start or end a rehearsal: the buttons work, nothing is stored or published."""
    meeting = meeting_for(request, pk, "webcasts.operate_meeting")
    if request.POST.get("rehearse") == "1":
        try:
            rehearsal.rehearsal_start(request.session, meeting)
        except ValidationError as error:
            messages.error(request, _validation_text(error))
        else:
            messages.success(
                request,
                _("Rehearsal: try every button. Viewers see nothing and nothing is stored."),
            )
    else:
        rehearsal.rehearsal_end(request.session, meeting)
        messages.success(request, _("The rehearsal has ended; its marks are discarded."))
    return redirect("webcasts:console", pk=meeting.pk)


@login_required
@require_POST
def console_end(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, "webcasts.operate_meeting")
    try:
        services.meeting_end(meeting=meeting, by=request.user)
    except ValidationError as error:
        messages.error(request, _validation_text(error))
    else:
        messages.success(request, _("The meeting has ended."))
    return redirect("webcasts:console", pk=meeting.pk)


def describe(mark: TimelineMark) -> str:
    """The mark in words, for the console's log and its confirmations."""
    if mark.kind == Kind.ITEM and mark.agenda_item is not None:
        return _("item %(number)s. %(title)s") % {
            "number": mark.agenda_item.number,
            "title": mark.agenda_item.title,
        }
    if mark.kind == Kind.SPEAKER and mark.person is not None:
        return _("speaker %(name)s") % {"name": mark.person.shown_name}
    if mark.kind == Kind.SLIDE and mark.slide is not None:
        return _("slide %(number)s of %(deck)s") % {
            "number": mark.slide.number,
            "deck": mark.slide.deck.title,
        }
    if mark.kind == Kind.POLL_OPEN and mark.poll is not None:
        return _("vox pop opens: %(title)s") % {"title": mark.poll.title}
    if mark.kind == Kind.POLL_CLOSE and mark.poll is not None:
        return _("vox pop closes: %(title)s") % {"title": mark.poll.title}
    return str(mark.get_kind_display()).lower()


# --- the timeline editor ---------------------------------------------------------------


class OffsetField(forms.CharField):
    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        offset = parse_offset_ms(text)
        if offset is None:
            raise ValidationError(
                _("Write the time as hours:minutes:seconds, e.g. 1:02:03 or 12:30.5."),
                code="bad_time",
            )
        return offset


class CorrectForm(forms.Form):
    offset = OffsetField(label=gettext_lazy("Time in the recording"))


class AddMarkForm(MarkForm):
    offset = OffsetField(label=gettext_lazy("Time in the recording"))


class ShiftForm(forms.Form):
    after = OffsetField(label=gettext_lazy("Marks at or after"))
    seconds = forms.DecimalField(
        label=gettext_lazy("Move them by (seconds; negative is earlier)"),
        max_digits=8,
        decimal_places=3,
        min_value=-36_000,
        max_value=36_000,
    )


def strip_pictures(meeting: Meeting) -> tuple[list[dict], bool]:
    """The timeline's small pictures (second, address), and whether they are still being made.

    Missing pictures are asked of the worker once every ten minutes at most per meeting.
    """
    seconds = thumbnails.strip_ready(meeting)
    if seconds is None:
        if cache.add(f"webcasts:strip-queued:{meeting.pk}", 1, 600):
            transaction.on_commit(lambda: make_timeline_strip.enqueue(meeting_id=meeting.pk))
        return [], True
    base = f"{settings.MEDIA_URL}webcasts/{meeting.pk}/timeline/"
    return [{"second": second, "url": f"{base}{second}.jpg"} for second in seconds], False


def timeline_context(meeting: Meeting) -> dict:
    marks = list(
        TimelineMark.objects.filter(meeting=meeting)
        .select_related("agenda_item", "person", "slide__deck", "poll")
        .order_by("offset_ms", "pk")
    )
    end_ms = max(
        [meeting.duration_ms or 0, int(thumbnails.playlist_seconds(meeting) * 1000)]
        + [mark.offset_ms for mark in marks]
    )
    for mark in marks:
        mark.description = describe(mark)
        mark.timecode = format_offset_ms(mark.offset_ms)
        mark.percent = f"{100 * mark.offset_ms / end_ms:.3f}" if end_ms else "0"
    strip, strip_pending = strip_pictures(meeting)
    for picture in strip:
        picture["percent"] = f"{100_000 * picture['second'] / end_ms:.3f}" if end_ms else "0"
        picture["timecode"] = format_offset_ms(picture["second"] * 1000).split(".")[0]
    return {
        "meeting": meeting,
        "marks": marks,
        "end_ms": end_ms,
        "end_timecode": format_offset_ms(end_ms).split(".")[0],
        "strip": strip,
        "strip_pending": strip_pending,
        "shift_form": ShiftForm(),
        "items": list(AgendaItem.objects.filter(meeting=meeting).order_by("position", "pk")),
        "people": list(Person.objects.filter(is_active=True).order_by("name")),
        "slides": list(
            Slide.objects.filter(deck__agenda_item__meeting=meeting)
            .select_related("deck")
            .order_by("deck", "number")
        ),
        "kinds": HAND_KINDS,
        "hls_url": hls_url(meeting),
        "hls_script": HLS_SCRIPT,
    }


@login_required
@require_GET
def timeline(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, "webcasts.edit_timeline")
    response = render(request, "webcasts/timeline.html", timeline_context(meeting))
    return with_player_csp(response, meeting)


def _timeline_answer(request: HttpRequest, meeting: Meeting, *, error="", done="") -> HttpResponse:
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    return redirect("webcasts:timeline", pk=meeting.pk)


@login_required
@require_POST
def timeline_correct(request: HttpRequest, pk: int, mark_pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, "webcasts.edit_timeline")
    mark = get_object_or_404(TimelineMark, pk=mark_pk, meeting=meeting)
    form = CorrectForm(request.POST)
    if not form.is_valid():
        return _timeline_answer(request, meeting, error=first_error(form))
    try:
        services.mark_correct(mark=mark, offset_ms=form.cleaned_data["offset"], by=request.user)
    except ValidationError as error:
        return _timeline_answer(request, meeting, error=_validation_text(error))
    return _timeline_answer(
        request,
        meeting,
        done=_("Moved %(mark)s to %(time)s.")
        % {"mark": describe(mark), "time": format_offset_ms(mark.offset_ms)},
    )


@login_required
@require_POST
def timeline_remove(request: HttpRequest, pk: int, mark_pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, "webcasts.edit_timeline")
    mark = get_object_or_404(TimelineMark, pk=mark_pk, meeting=meeting)
    try:
        services.mark_remove(mark=mark, by=request.user)
    except ValidationError as error:
        return _timeline_answer(request, meeting, error=_validation_text(error))
    return _timeline_answer(
        request, meeting, done=_("Removed %(mark)s.") % {"mark": describe(mark)}
    )


@login_required
@require_POST
def timeline_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request, pk, "webcasts.edit_timeline")
    form = AddMarkForm(request.POST, meeting=meeting)
    if not form.is_valid():
        return _timeline_answer(request, meeting, error=first_error(form))
    try:
        mark = services.mark_add_at_offset(
            meeting=meeting,
            by=request.user,
            offset_ms=form.cleaned_data["offset"],
            **form.service_arguments(),
        )
    except ValidationError as error:
        return _timeline_answer(request, meeting, error=_validation_text(error))
    return _timeline_answer(request, meeting, done=_("Added %(mark)s.") % {"mark": describe(mark)})


@login_required
@require_POST
def timeline_shift(request: HttpRequest, pk: int) -> HttpResponse:
    """Move every mark from a point on by some seconds (bulk re-timing)."""
    meeting = meeting_for(request, pk, "webcasts.edit_timeline")
    form = ShiftForm(request.POST)
    if not form.is_valid():
        return _timeline_answer(request, meeting, error=first_error(form))
    delta_ms = int(form.cleaned_data["seconds"] * 1000)
    try:
        moved = services.marks_shift(
            meeting=meeting, after_ms=form.cleaned_data["after"], delta_ms=delta_ms, by=request.user
        )
    except ValidationError as error:
        return _timeline_answer(request, meeting, error=_validation_text(error))
    done = ngettext(
        "Moved %(count)s mark by %(seconds)s seconds.",
        "Moved %(count)s marks by %(seconds)s seconds.",
        len(moved),
    ) % {"count": len(moved), "seconds": f"{delta_ms / 1000:+g}"}
    return _timeline_answer(request, meeting, done=done)
