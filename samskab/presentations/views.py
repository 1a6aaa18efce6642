"""Presentations: the builder (staff), the player (everyone), embed, oEmbed, statistics.

Every builder action is a plain form POST (post, redirect, get) that works without
JavaScript; builder.js adds drag and drop and autosave on top, posting the same forms
(and the reorder) with fetch and reading a JSON answer.

The player's pages carry the playing's id in the address (`?b=`), not in a cookie: in an
iframe on the municipality's own site the browser sends no cookie of ours, and the
playing must still count and its questions be answered once. The citizen's writes (start,
answer) are therefore exempt from CSRF (they act for no account) and rate-limited.
"""

from __future__ import annotations

import csv
import json
import uuid
from types import EllipsisType
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from samskab.core.clientaddress import request_address_pseudonym
from samskab.core.csvsafe import neutralise
from samskab.core.models import SiteSettings
from samskab.core.ratelimit import hit, hit_key, ratelimit, too_many
from samskab.core.viewer import viewer_key
from samskab.presentations import flow, package, selectors, services
from samskab.presentations.models import CHOICE_KINDS, END, Presentation, Step, Version, Visit
from samskab.recordings import services as recordings
from samskab.surveys.forms import answers_from_post, question_blocks
from samskab.webcasts.models import Meeting
from samskab.webcasts.player import HLS_SCRIPT

ANSWER_RATE = "20/m"
ANSWERS_PER_ADDRESS = "600/h"
START_RATE = "30/m"
# Going on from step to step: generous (a fast reader), and never refused, only uncounted.
PROGRESS_RATE = "120/m"
PROGRESS_PER_ADDRESS = "6000/h"
EMBED_WIDTH, EMBED_HEIGHT = 960, 720


def _builder(request: HttpRequest, pk: int) -> Presentation:
    if not request.user.has_perm("presentations.build_presentation"):
        raise PermissionDenied
    return get_object_or_404(Presentation, pk=pk)


def _revision(request: HttpRequest) -> int | None:
    value = request.POST.get("revision", "")
    return int(value) if value.isdigit() else None


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _done(request: HttpRequest, presentation: Presentation, message: str = "") -> HttpResponse:
    presentation.refresh_from_db(fields=["revision"])
    if _wants_json(request):
        return JsonResponse({"ok": True, "revision": presentation.revision, "message": message})
    if message:
        messages.success(request, message)
    return redirect(reverse("presentations:builder", args=[presentation.pk]) + "#steps")


def _refused(request: HttpRequest, presentation: Presentation, error: services.Refused):
    if _wants_json(request):
        presentation.refresh_from_db(fields=["revision"])
        return JsonResponse(
            {"ok": False, "message": error.message, "revision": presentation.revision}, status=409
        )
    messages.error(request, error.message)
    for problem in error.problems:
        messages.error(request, problem)
    return redirect(reverse("presentations:builder", args=[presentation.pk]) + "#steps")


# --- Staff: the list, create, import ----------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def staff_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("presentations.build_presentation"):
        raise PermissionDenied
    error = ""
    if request.method == "POST":
        try:
            presentation = services.presentation_create(
                title=request.POST.get("title", ""),
                summary=request.POST.get("summary", ""),
                by=request.user,
            )
        except services.Refused as refused:
            error = refused.message
        else:
            return redirect("presentations:builder", pk=presentation.pk)
    context = {
        "presentations": Presentation.objects.all(),
        "error": error,
        "import_error": "",
    }
    return render(request, "presentations/staff_list.html", context, status=400 if error else 200)


@login_required
@require_POST
def import_package(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("presentations.build_presentation"):
        raise PermissionDenied
    upload = request.FILES.get("package")
    try:
        if upload is None:
            raise package.PackageRefused(_("Choose a package file (.zip) to import."))
        presentation = package.package_import(upload, by=request.user)
    except package.PackageRefused as error:
        context = {
            "presentations": Presentation.objects.all(),
            "error": "",
            "import_error": error.message,
        }
        return render(request, "presentations/staff_list.html", context, status=400)
    messages.success(request, _("The presentation is imported as a draft."))
    return redirect("presentations:builder", pk=presentation.pk)


@login_required
@require_GET
def export_package(request: HttpRequest, pk: int) -> HttpResponse:
    presentation = _builder(request, pk)
    data = package.package_export(presentation)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{presentation.slug}.samskab.zip"'
    return response


# --- Staff: the builder -----------------------------------------------------------------


@login_required
@require_GET
def builder(request: HttpRequest, pk: int) -> HttpResponse:
    presentation = _builder(request, pk)
    steps = list(presentation.steps.select_related("clip", "video", "image", "slide", "deck_page"))
    narrations: list[selectors.NarrationGroup] | None = None
    query = request.GET.get("q", "")[:100]
    kind = request.GET.get("kind", "")
    if kind not in selectors.KINDS:
        kind = ""
    snapshot = services.snapshot_of(presentation)
    problems = services.problems_of(snapshot)
    flow_steps = services.flow_steps(snapshot["steps"])
    unreachable = set(flow.unreachable(flow_steps))
    step_rows = []
    for number, step in enumerate(steps, start=1):
        data = services.step_snapshot(step)
        step_rows.append(
            {
                "step": step,
                "number": number,
                "removed": services.missing_element(data),
                "unreachable": step.key in unreachable,
                "choices_text": "\n".join(c["text"] for c in step.choices),
                "is_choice": step.question_kind in CHOICE_KINDS,
                "in_s": _seconds(step.in_ms),
                "out_s": _seconds(step.out_ms),
                "others": [
                    (s.key, n, s) for n, s in enumerate(steps, start=1) if s.key != step.key
                ],
            }
        )
        if step.kind == Step.Kind.SLIDE:
            if narrations is None:
                narrations = selectors.narration_choices()
            chosen = selectors.narration_ref(step)
            choices = narrations
            if chosen and not selectors.narration_offered(narrations, chosen):
                choices = selectors.narration_choices(chosen)
            step_rows[-1]["narrations"] = choices
            step_rows[-1]["narration"] = chosen
    context = {
        "presentation": presentation,
        "steps": step_rows,
        "catalogue": selectors.catalogue(query=query, kind=kind),
        "candidates": selectors.clip_candidates(query=query) if kind in ("", "clip") else [],
        "kinds": selectors.kind_labels(),
        "kind": kind,
        "query": query,
        "problems": problems,
        "documents": selectors.library_documents(presentation),
        "embed_code": embed_iframe(request, presentation),
        "public_url": request.build_absolute_uri(presentation.get_absolute_url()),
        "END": END,
        "sortable_script": "vendor/sortablejs-1.15.7/Sortable.min.js",
        "live_channel": services.live_channel(presentation.pk),
    }
    return render(request, "presentations/builder.html", context)


@login_required
@require_POST
def presentation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    presentation = _builder(request, pk)
    try:
        services.presentation_update(
            presentation=presentation,
            title=request.POST.get("title", ""),
            summary=request.POST.get("summary", ""),
            by=request.user,
        )
    except services.Refused as error:
        return _refused(request, presentation, error)
    return _done(request, presentation, _("Saved."))


@login_required
@require_POST
def step_add(request: HttpRequest, pk: int) -> HttpResponse:
    presentation = _builder(request, pk)
    after = request.POST.get("after")
    try:
        step = services.step_add(
            presentation=presentation,
            element=request.POST.get("element", ""),
            after_key=None if after in (None, "__last__") else after,
            by=request.user,
            revision=_revision(request),
        )
    except services.Refused as error:
        return _refused(request, presentation, error)
    return _done(request, presentation, _("Step added: %(step)s.") % {"step": step})


@login_required
@require_POST
def clip_make(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a clip of an agenda item or speaker turn from the catalogue, and add it."""
    presentation = _builder(request, pk)
    if not request.user.has_perm("presentations.build_presentation"):
        raise PermissionDenied
    meeting = get_object_or_404(Meeting, pk=request.POST.get("meeting") or 0)
    if not request.user.has_perm("recordings.make_clip", meeting):
        raise PermissionDenied
    ref = request.POST.get("ref", "")
    row = next(
        (c for c in selectors.clip_candidates(meeting_id=meeting.pk) if c["ref"] == ref), None
    )
    if row is None:
        raise Http404
    try:
        clip = recordings.clip_create(meeting=meeting, by=request.user, **row["arguments"])
        services.step_add(presentation=presentation, element=f"clip:{clip.pk}", by=request.user)
    except ValidationError as error:
        return _refused(request, presentation, services.Refused(" ".join(error.messages)))
    except services.Refused as error:
        return _refused(request, presentation, error)
    return _done(request, presentation, _("The clip is made and added as a step."))


def _seconds(ms: int | None) -> str:
    return "" if ms is None else f"{ms / 1000:g}".replace(".", ",")


def _ms(value: str | None) -> int | None:
    """Seconds as typed ("12", "12,5") to milliseconds; None when empty."""
    value = (value or "").strip().replace(",", ".")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        raise services.Refused(_("Give the in and out points in seconds, such as 12,5.")) from None
    if seconds < 0 or seconds > 48 * 3600:
        raise services.Refused(_("Give the in and out points in seconds, such as 12,5."))
    return round(seconds * 1000)


def _narration(value: str | None) -> str | EllipsisType | None:
    """The narration chosen in a slide's form: "clip:12" or "video:4", "" for none, absent =
    unchanged. A bare number is a clip (as a page from before uploaded narrations sends it)."""
    if value is None:
        return ...
    value = value.strip()[:40]
    if not value:
        return None
    return f"clip:{value}" if value.isdigit() else value


@login_required
@require_POST
def step_edit(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    presentation = _builder(request, pk)
    step = get_object_or_404(Step, presentation=presentation, key=key)
    post = request.POST
    try:
        services.step_update(
            step=step,
            title=post.get("title", ""),
            body=post.get("body", ""),
            in_ms=_ms(post.get("in_s")),
            out_ms=_ms(post.get("out_s")),
            choices=post.get("choices"),
            required=post.get("required") == "on",
            next_key=post.get("next_key", ""),
            branches={
                name.removeprefix("branch_"): value
                for name, value in post.items()
                if name.startswith("branch_")
            },
            narration=_narration(post.get("narration")),
            by=request.user,
            revision=_revision(request),
        )
    except services.Refused as error:
        return _refused(request, presentation, error)
    return _done(request, presentation, _("Saved."))


@login_required
@require_POST
def step_move(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    presentation = _builder(request, pk)
    step = get_object_or_404(Step, presentation=presentation, key=key)
    direction = "up" if request.POST.get("direction") == "up" else "down"
    try:
        services.step_move(
            step=step, direction=direction, by=request.user, revision=_revision(request)
        )
    except services.Refused as error:
        return _refused(request, presentation, error)
    return _done(request, presentation)


@login_required
@require_POST
def step_remove(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    presentation = _builder(request, pk)
    step = get_object_or_404(Step, presentation=presentation, key=key)
    try:
        services.step_remove(step=step, by=request.user, revision=_revision(request))
    except services.Refused as error:
        return _refused(request, presentation, error)
    return _done(request, presentation, _("Step removed."))


@login_required
@require_POST
def steps_reorder(request: HttpRequest, pk: int) -> HttpResponse:
    """The order after a drag and drop: JSON {"keys": [...], "revision": n} or a form."""
    presentation = _builder(request, pk)
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
            keys = [str(key) for key in data.get("keys", [])]
            revision = data.get("revision")
            revision = int(revision) if revision is not None else None
        except (ValueError, TypeError, AttributeError):
            return JsonResponse(
                {"ok": False, "message": _("The order could not be read.")}, status=400
            )
    else:
        keys, revision = request.POST.getlist("keys"), _revision(request)
    try:
        services.steps_reorder(
            presentation=presentation, keys=keys, by=request.user, revision=revision
        )
    except services.Refused as error:
        return _refused(request, presentation, error)
    return _done(request, presentation, _("The new order is saved."))


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    presentation = _builder(request, pk)
    if request.POST.get("action") == "unpublish":
        services.presentation_unpublish(presentation=presentation, by=request.user)
        messages.success(request, _("The presentation is no longer published."))
        return redirect("presentations:builder", pk=presentation.pk)
    try:
        services.presentation_publish(presentation=presentation, by=request.user)
    except services.Refused as error:
        return _refused(request, presentation, error)
    messages.success(request, _("The presentation is published."))
    return redirect("presentations:builder", pk=presentation.pk)


@login_required
@require_http_methods(["GET", "POST"])
def versions(request: HttpRequest, pk: int) -> HttpResponse:
    presentation = _builder(request, pk)
    if request.method == "POST":
        version = get_object_or_404(
            Version, presentation=presentation, pk=request.POST.get("version") or 0
        )
        services.version_restore(version=version, by=request.user)
        messages.success(request, _("Version %(number)d is restored.") % {"number": version.number})
        return redirect("presentations:builder", pk=presentation.pk)
    rows = presentation.versions.select_related("created_by")[:100]
    return render(
        request, "presentations/versions.html", {"presentation": presentation, "versions": rows}
    )


@login_required
@require_http_methods(["GET", "POST"])
def video_upload(request: HttpRequest) -> HttpResponse:
    from samskab.presentations import media

    if not request.user.has_perm("presentations.build_presentation"):
        raise PermissionDenied
    error = ""
    back = request.POST.get("back") or request.GET.get("back") or ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError(_("Choose a video file."))
            media.video_accept(title=request.POST.get("title", ""), file=upload, by=request.user)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, _("The video is uploaded and being prepared for playing."))
            if back.isdigit():
                return redirect(reverse("presentations:builder", args=[int(back)]) + "?kind=video")
            return redirect("presentations:video_upload")
    return _videos_page(request, error=error, back=back)


def _videos_page(request: HttpRequest, *, error: str = "", back: str = "", captions_error=None):
    from samskab.presentations.models import Video

    context = {
        "videos": Video.objects.all()[:50],
        "error": error,
        "back": back if back.isdigit() else "",
        "captions_error": captions_error,  # (video id, messages)
    }
    status = 400 if error or captions_error else 200
    return render(request, "presentations/videos.html", context, status=status)


@login_required
@require_POST
def video_captions(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload (or remove) an uploaded video's captions, a WebVTT file checked cue by cue."""
    from samskab.presentations import media
    from samskab.presentations.models import Video

    if not request.user.has_perm("presentations.build_presentation"):
        raise PermissionDenied
    video = get_object_or_404(Video, pk=pk)
    back = request.POST.get("back", "")
    if request.POST.get("action") == "remove":
        media.video_captions_remove(video=video)
        messages.success(
            request, _("The captions of “%(title)s” are removed.") % {"title": video.title}
        )
    else:
        upload = request.FILES.get("captions")
        try:
            if upload is None:
                raise ValidationError(_("Choose a captions file (.vtt)."))
            media.video_captions_set(video=video, data=upload.read(media.CAPTIONS_MAX_BYTES + 1))
        except ValidationError as refused:
            return _videos_page(request, back=back, captions_error=(video.pk, refused.messages))
        messages.success(
            request, _("The captions of “%(title)s” are saved.") % {"title": video.title}
        )
    url = reverse("presentations:video_upload")
    return redirect(url + (f"?back={back}" if back.isdigit() else ""))


@login_required
@require_GET
def results(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("presentations.view_results"):
        raise PermissionDenied
    presentation = get_object_or_404(Presentation, pk=pk)
    stats = selectors.statistics(presentation)
    charts = [
        {
            "id": f"chart-{row['step']['key']}",
            "labels": [c["label"] for c in row["stats"].get("counts", [])],
            "counts": [c["count"] for c in row["stats"].get("counts", [])],
        }
        for row in stats["questions"]
        if row["stats"].get("counts")
    ]
    drop_chart = {
        "labels": [f"{row['number']}. {row['title']}"[:40] for row in stats["drop"]],
        "counts": [row["stopped"] for row in stats["drop"]],
    }
    context = {
        "presentation": presentation,
        "stats": stats,
        "charts": charts,
        "drop_chart": drop_chart,
        "charts_data": {"drop": drop_chart, "questions": charts},
    }
    return render(request, "presentations/results.html", context)


@login_required
@require_GET
def results_csv(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("presentations.view_results"):
        raise PermissionDenied
    presentation = get_object_or_404(Presentation, pk=pk)
    from samskab.presentations.models import Answer

    steps = {step["key"]: step for step in presentation.published.get("steps", [])}
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{presentation.slug}-svar.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("Step"), _("Question"), _("Answer"), _("Hour")])
    rows = Answer.objects.filter(presentation=presentation).order_by("step_key", "submitted_at")
    for answer in rows.iterator():
        step = steps.get(answer.step_key, {})
        writer.writerow(
            [
                neutralise(answer.step_key),
                neutralise(step.get("title", "")),
                neutralise(_answer_text(step, answer.value)),
                answer.submitted_at.strftime("%Y-%m-%d %H:00"),
            ]
        )
    return response


def _answer_text(step: dict, value: object) -> str:
    names = {c["id"]: c["text"] for c in step.get("choices") or []}
    if isinstance(value, list):
        return ", ".join(names.get(v, str(v)) for v in value)
    if isinstance(value, int) and names:
        return names.get(value, str(value))
    return str(value)


# --- The player ---------------------------------------------------------------------------


def _playable(request: HttpRequest, slug: str) -> tuple[Presentation, dict, bool]:
    """The presentation and what plays: the published snapshot, or for a builder asking for
    the draft (?kladde=1), the current steps."""
    presentation = get_object_or_404(Presentation, slug=slug)
    draft = request.GET.get("kladde") == "1" and request.user.has_perm(
        "presentations.build_presentation"
    )
    if draft:
        return presentation, services.snapshot_of(presentation), True
    if not presentation.is_published:
        raise Http404
    return presentation, presentation.published, False


def _framable(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """The embed's pages may be framed by any site (as the webcast embed)."""
    if request.GET.get("e") == "1":
        response.xframe_options_exempt = True  # type: ignore[attr-defined]
        response._csp_replace = {"frame-ancestors": ["*"]}  # type: ignore[attr-defined]
    return response


def _carry(request: HttpRequest, visit: str | None = None) -> str:
    """The query that travels from step to step: the playing, embed and draft flags."""
    params = {}
    visit = visit if visit is not None else request.GET.get("b", "")
    if visit:
        params["b"] = visit
    for flag in ("e", "kladde"):
        if request.GET.get(flag) == "1":
            params[flag] = "1"
    return ("?" + urlencode(params)) if params else ""


def _visit_id(request: HttpRequest) -> str:
    value = request.GET.get("b", "")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return ""


def _participant(request: HttpRequest, visit: str) -> str | None:
    """Once per viewer: the browser's viewer token when it sends one (the public page),
    else the playing (in another site's frame, where our cookie is not sent)."""
    viewer = getattr(request, "viewer", None)
    if viewer is not None and viewer.from_cookie:
        return f"v:{viewer.key}"
    if visit:
        return f"b:{viewer_key(visit)}"
    return None


def _base_context(request, presentation, snapshot, draft) -> dict:
    embed = request.GET.get("e") == "1"
    url = request.build_absolute_uri(presentation.get_absolute_url())
    return {
        "presentation": presentation,
        "title": snapshot.get("title") or presentation.title,
        "summary": snapshot.get("summary", ""),
        "draft": draft,
        "embed": embed,
        "base_template": "presentations/embed_base.html" if embed else "base.html",
        "canonical_url": url,
        "oembed_url": request.build_absolute_uri(reverse("presentations:oembed"))
        + "?"
        + urlencode({"url": url, "format": "json"}),
    }


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    presentations = Presentation.objects.filter(status=Presentation.Status.PUBLISHED).order_by(
        "-published_at"
    )
    return render(request, "presentations/list.html", {"presentations": presentations})


@require_GET
def play(request: HttpRequest, slug: str) -> HttpResponse:
    """The start page: title, summary, how many steps, and the start button."""
    presentation, snapshot, draft = _playable(request, slug)
    context = _base_context(request, presentation, snapshot, draft)
    steps = snapshot.get("steps", [])
    context.update({"count": len(steps), "carry": _carry(request, "")})
    first = steps[0] if steps else None
    if first is not None:
        media = selectors.step_media(first)
        context["og_image"] = request.build_absolute_uri(media.image) if media.image else ""
        context["first_media"] = media
    return _framable(request, render(request, "presentations/play.html", context))


@csrf_exempt
@require_POST
@ratelimit("presentation-start", START_RATE)
def start(request: HttpRequest, slug: str) -> HttpResponse:
    presentation, snapshot, draft = _playable(request, slug)
    steps = snapshot.get("steps", [])
    if not steps:
        raise Http404
    visit = ""
    if not draft:
        visit = str(services.visit_start(presentation=presentation, first_key=steps[0]["key"]).pk)
    url = reverse("presentations:step", kwargs={"slug": slug, "key": steps[0]["key"]})
    return redirect(url + _carry(request, visit))


@csrf_exempt
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """A step. GET only shows it: it writes nothing, so a crawler following `?b=` links
    moves no count. The citizen's POSTs write: "go on" (the Next button) records that the
    playing reached the following step (or the end), and an answer is stored and records
    the same for the step the answer leads to; both redirect (post, redirect, get)."""
    presentation, snapshot, draft = _playable(request, slug)
    steps = snapshot.get("steps", [])
    keys = [s["key"] for s in steps]
    if key not in keys:
        raise Http404
    index = keys.index(key)
    current = steps[index]
    visit = _visit_id(request)
    flows = services.flow_steps(steps)
    participant = _participant(request, visit)
    refusal = ""
    raw: dict = {}
    already = False
    is_question = current["kind"] == Step.Kind.QUESTION
    if is_question and not draft:
        from samskab.presentations.models import Participation

        if request.method == "GET" and request.GET.get("e") != "1" and hasattr(request, "viewer"):
            # The cookie that makes it once per browser on our own pages (as surveys).
            request.viewer.token  # noqa: B018

        already = (
            participant is not None
            and Participation.objects.filter(
                presentation=presentation, step_key=key, participant_key=participant
            ).exists()
        )
    if request.method == "POST":
        going_on = request.POST.get("action") == "next" or not is_question
        if going_on and is_question and current.get("required") and not already:
            # A required question is passed by answering it, not by "go on".
            going_on = False
        if going_on:
            return _go_on(request, presentation, slug, flows, index, None, draft, visit)
        if not hit(request, "presentation-answer", ANSWER_RATE, per_address=ANSWERS_PER_ADDRESS):
            return too_many(request)
        spec = services.question_spec(current)
        raw = answers_from_post([spec], request.POST)
        if draft:
            return redirect(_next_url(slug, flows, index, None, request))
        try:
            services.answer_submit(
                presentation=presentation, step=current, participant_key=participant, raw=raw["1"]
            )
        except services.Refused as error:
            refusal = error.message
        else:
            return _go_on(
                request, presentation, slug, flows, index, raw.get("1") or None, draft, visit
            )
    media = selectors.step_media(current)
    next_key = flow.following(flows, index)
    next_media = None
    if next_key != END:
        next_media = selectors.step_media(steps[keys.index(next_key)])
    context = _base_context(request, presentation, snapshot, draft)
    context.update(
        {
            "step": current,
            "number": index + 1,
            "count": len(steps),
            "percent": round(100 * (index + 1) / len(steps)),
            "media": media,
            "next_media": next_media,
            "step_url": reverse("presentations:step", kwargs={"slug": slug, "key": key})
            + _carry(request),
            "previous_url": (
                reverse("presentations:step", kwargs={"slug": slug, "key": keys[index - 1]})
                + _carry(request)
                if index
                else reverse("presentations:play", kwargs={"slug": slug}) + _carry(request)
            ),
            "carry": _carry(request),
            "hls_script": HLS_SCRIPT,
            "refusal": refusal,
            "already": already,
            "is_last": next_key == END,
        }
    )
    if is_question:
        spec = services.question_spec(current)
        errors = {1: refusal} if refusal else {}
        context["blocks"] = question_blocks([_Question(current)], [spec], raw, errors)
    status = 400 if refusal else 200
    response = render(request, "presentations/step.html", context, status=status)
    return _framable(request, response)


def _progress_allowed(request: HttpRequest, visit: str) -> bool:
    """Counted per playing (in another site's frame many citizens share one address and
    send no cookie of ours), with a ceiling per address."""
    user = getattr(request, "user", None)
    return hit_key(
        "presentation-progress",
        f"visit:{visit}",
        PROGRESS_RATE,
        address=request_address_pseudonym(request),
        signed_in=bool(user is not None and user.is_authenticated),
        per_address=PROGRESS_PER_ADDRESS,
    )


def _go_on(request, presentation, slug, flows, index, choice, draft, visit) -> HttpResponse:
    """Record that the playing reached the step that follows (or the end), and go there.
    Never refused: past its rate the citizen goes on, only uncounted."""
    target = flow.following(flows, index, choice)
    if visit and not draft and _progress_allowed(request, visit):
        services.visit_progress(
            presentation=presentation,
            visit_id=visit,
            key="" if target == END else target,
            completed=target == END,
        )
    return redirect(_next_url(slug, flows, index, choice, request))


class _Question:
    """What the surveys' question layout reads from a question (its texts)."""

    def __init__(self, step: dict) -> None:
        self.text = step.get("title") or ""
        self.help = step.get("body") or ""
        self.low_label = self.high_label = ""
        self.show_if_choice = None
        self.section = None
        self.section_id = None


def _next_url(slug: str, flows, index: int, choice, request: HttpRequest) -> str:
    target = flow.following(flows, index, choice)
    if target == END:
        return reverse("presentations:end", kwargs={"slug": slug}) + _carry(request)
    return reverse("presentations:step", kwargs={"slug": slug, "key": target}) + _carry(request)


@require_GET
def end(request: HttpRequest, slug: str) -> HttpResponse:
    """The end page. Only shows: the playing was counted complete by the POST that led here."""
    presentation, snapshot, draft = _playable(request, slug)
    context = _base_context(request, presentation, snapshot, draft)
    context["carry"] = _carry(request, "")
    return _framable(request, render(request, "presentations/end.html", context))


@require_GET
def captions(request: HttpRequest, slug: str, key: str, language: str) -> HttpResponse:
    _presentation, snapshot, _draft = _playable(request, slug)
    current = next((s for s in snapshot.get("steps", []) if s["key"] == key), None)
    if current is None:
        raise Http404
    if current["kind"] == Step.Kind.SLIDE and current.get("narration"):
        # A slide's narration clip: its captions as the narration plays them.
        current = {"clip": current["narration"]}
    elif current["kind"] == Step.Kind.SLIDE and current.get("narration_video"):
        current = {"video": current["narration_video"]}
    elif current["kind"] != Step.Kind.VIDEO:
        raise Http404
    text = selectors.captions_vtt(current, language[:8])
    if text is None:
        raise Http404
    response = HttpResponse(text, content_type="text/vtt; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def embed(request: HttpRequest, slug: str) -> HttpResponse:
    """The start page for other sites' iframes (the same pages with ?e=1)."""
    request.GET = request.GET.copy()
    request.GET["e"] = "1"
    return play(request, slug)


def embed_iframe(request: HttpRequest, presentation: Presentation) -> str:
    """What the municipality pastes on its site: a responsive wrapper with the iframe."""
    src = request.build_absolute_uri(
        reverse("presentations:embed", kwargs={"slug": presentation.slug})
    )
    return format_html(
        '<div style="position:relative;width:100%;max-width:{}px;aspect-ratio:4/3">'
        '<iframe src="{}" title="{}" style="position:absolute;inset:0;width:100%;height:100%;'
        'border:0" allow="fullscreen" loading="lazy"></iframe></div>',
        EMBED_WIDTH,
        src,
        presentation.title,
    )


@require_GET
@cache_control(max_age=300, public=True)
def oembed(request: HttpRequest) -> HttpResponse:
    """oEmbed 1.0 for presentation pages: type "rich", the responsive iframe."""
    if request.GET.get("format", "json") != "json":
        return HttpResponse("Only format=json is supported.", status=501)
    parts = urlsplit(request.GET.get("url", ""))
    if parts.netloc and parts.netloc != request.get_host():
        raise Http404
    try:
        match = resolve(parts.path or "/")
    except Resolver404:
        raise Http404 from None
    if match.view_name not in {"presentations:play", "presentations:embed"}:
        raise Http404
    presentation = get_object_or_404(
        Presentation, slug=match.kwargs["slug"], status=Presentation.Status.PUBLISHED
    )
    site = SiteSettings.current()
    return JsonResponse(
        {
            "version": "1.0",
            "type": "rich",
            "title": presentation.title,
            "provider_name": str(site.name),
            "provider_url": request.build_absolute_uri("/"),
            "html": embed_iframe(request, presentation),
            "width": EMBED_WIDTH,
            "height": EMBED_HEIGHT,
        }
    )


def visits_of(presentation: Presentation) -> int:
    return Visit.objects.filter(presentation=presentation).count()
