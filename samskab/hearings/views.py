"""Hearing pages: the list, a process with its timeline, the draft with its highlighted
passages, commenting on a passage (by selection or by keyboard), versions and their
differences, proposals, hearing answers, and the staff's pages. Every form works without
JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samskab.accounts.identity import step_up_notice, step_up_redirect
from samskab.core.ratelimit import ratelimit
from samskab.hearings import exports, forms, selectors, services
from samskab.hearings.models import (
    Answer,
    Export,
    Passage,
    Phase,
    Process,
    Proposal,
    Question,
    Theme,
)


def _process(request: HttpRequest, pk: int) -> Process:
    process = get_object_or_404(Process, pk=pk)
    if not request.user.has_perm("hearings.view_process", process):
        raise Http404
    return process


def _staff(request: HttpRequest, pk: int, permission: str = "hearings.manage_process") -> Process:
    process = get_object_or_404(Process, pk=pk)
    if not request.user.has_perm(permission, process):
        raise PermissionDenied
    return process


def process_list(request: HttpRequest) -> HttpResponse:
    processes = selectors.process_list(request.user)
    return render(
        request,
        "hearings/list.html",
        {
            "rows": [(p, selectors.phase_label(selectors.current_phase(p))) for p in processes],
            "may_create": request.user.has_perm("hearings.manage_process"),
        },
    )


def _map(process: Process):
    from samskab.places.maps import area_of, svg_map
    from samskab.places.selectors import place_of

    place = place_of(process)
    area = area_of(place.area) if place is not None else None
    return svg_map([(process, area)]) if area is not None else None


def _questions(process: Process, user) -> list:
    counts = selectors.choice_counts(process)
    mine = selectors.my_choices(process, user)
    return [(q, counts.get(q.pk, []), mine.get(q.pk)) for q in process.questions.all()]


def process_detail(request: HttpRequest, pk: int) -> HttpResponse:
    process = _process(request, pk)
    user = request.user
    phase = selectors.current_phase(process)
    version = selectors.latest_version(process)
    return render(
        request,
        "hearings/process.html",
        {
            "process": process,
            "steps": selectors.timeline(process),
            "phase": phase,
            "phase_label": selectors.phase_label(phase),
            "version": version,
            "questions": _questions(process, user),
            "may_choose": user.has_perm("hearings.choose_question", process),
            "proposals": list(
                process.proposals.filter(hidden_at__isnull=True).select_related("author")
            ),
            "may_propose": user.has_perm("hearings.propose_process", process),
            "proposal_form": forms.ProposalForm(),
            "may_answer": user.has_perm("hearings.answer_process", process),
            "step_up": _answer_step_up(request, process),
            "may_comment": user.has_perm("hearings.comment_passage", process),
            "may_manage": user.has_perm("hearings.manage_process", process),
            "may_respond": user.has_perm("hearings.respond_process", process),
            "show_result": user.has_perm("hearings.result_process", process),
            "themes": selectors.hvidbog(process),
            "answer_count": selectors.published_answer_count(process),
            "map": _map(process),
        },
    )


# --- the draft -------------------------------------------------------------------------------


# The draft's text with its highlights and latest comments is the page's costly part (at
# 10,000 comments); it is rendered once per version and comment state and kept in the cache.
# Its key holds the process's draft_state, which moves on in the same transaction as any
# change to a comment on a passage or a new version, so a hidden comment is gone from the
# next request in every process. The time limit only bounds what a changed display name or
# an anonymised account may show.
DRAFT_CACHE_S = 300


def _draft_body(process: Process, version, *, may_comment: bool) -> str:
    stamp = int(version.published_at.timestamp())
    key = (
        f"hearings:draft:{version.pk}:{stamp}:{process.draft_state}:"
        f"{int(may_comment)}:{get_language()}"
    )
    html = cache.get(key)
    if html is None:
        shown, earlier = selectors.draft_view(version)
        html = render_to_string(
            "hearings/partials/draft_body.html",
            {
                "process": process,
                "version": version,
                "paragraphs": shown,
                "earlier": earlier,
                "may_comment": may_comment,
                # Each paragraph's page is this address and its anchor (one reverse()).
                "paragraph_url": reverse(
                    "hearings:paragraph_comments", args=[process.pk, "a"]
                ).removesuffix("a/"),
            },
        )
        cache.set(key, html, DRAFT_CACHE_S)
    return mark_safe(html)  # noqa: S308  # our own template's output, escaped when rendered


def draft(request: HttpRequest, pk: int) -> HttpResponse:
    process = _process(request, pk)
    latest = selectors.latest_version(process)
    number = request.GET.get("v")
    version = selectors.version_of(process, number) if number else latest
    if version is None:
        raise Http404
    may_comment = (
        latest is not None
        and version.pk == latest.pk
        and request.user.has_perm("hearings.comment_passage", process)
    )
    return render(
        request,
        "hearings/draft.html",
        {
            "process": process,
            "version": version,
            "latest": latest,
            "draft_body": _draft_body(process, version, may_comment=may_comment),
            "latest_per_paragraph": selectors.LATEST_PER_PARAGRAPH,
            "may_comment": may_comment,
            "signed_in": request.user.is_authenticated,
            "phase_label": selectors.phase_label(selectors.current_phase(process)),
        },
    )


def paragraph_comments(request: HttpRequest, pk: int, anchor: str) -> HttpResponse:
    """Every comment on one paragraph's passages, newest first, a page at a time (the draft
    shows only the latest few under each paragraph)."""
    process = _process(request, pk)
    version = selectors.version_of(process, request.GET.get("v"))
    if version is None:
        raise Http404
    paragraph = selectors.paragraph_of(version, anchor)
    if paragraph is None or paragraph.kind == "heading":
        raise Http404
    page = Paginator(
        selectors.paragraph_comments(version, paragraph), selectors.COMMENTS_PER_PAGE
    ).get_page(request.GET.get("page"))
    latest = selectors.latest_version(process)
    return render(
        request,
        "hearings/paragraph_comments.html",
        {
            "process": process,
            "version": version,
            "latest": latest,
            "paragraph": paragraph,
            "highlighted": selectors.paragraph_highlighted(version, paragraph),
            "page": page,
            "comments": selectors.with_passages(page.object_list),
            "may_comment": latest is not None
            and version.pk == latest.pk
            and paragraph.section not in (version.locked or [])
            and request.user.has_perm("hearings.comment_passage", process),
        },
    )


def passage_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Comment on a passage: choose a paragraph, then its first and last sentence (by
    keyboard), or arrive with a selection's offsets (from the draft's script)."""
    process = _process(request, pk)
    version = selectors.latest_version(process)
    if version is None:
        raise Http404
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={request.get_full_path()}")
    if not request.user.has_perm("hearings.comment_passage", process):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else request.GET
    anchor = data.get("anchor", "")
    paragraph = version.paragraphs.filter(anchor=anchor).first() if anchor else None
    form = forms.PassageForm(request.POST or None, initial={"anchor": anchor})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            passage, comment = services.passage_comment(
                version=version,
                user=request.user,
                body=d["body"],
                language=get_language() or "",
                anchor=d["anchor"],
                start=d.get("start"),
                end=d.get("end"),
                first_sentence=d.get("first"),
                last_sentence=d.get("last"),
            )
        except services.HearingRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            if comment.status == "pending":
                messages.success(
                    request,
                    _("Thank you. Your comment will be shown when a moderator has approved it."),
                )
            else:
                messages.success(request, _("Your comment is posted."))
            return redirect(passage)
    start, end = data.get("start", ""), data.get("end", "")
    chosen = ""
    if paragraph is not None and start.isdigit() and end.isdigit():
        chosen = paragraph.text[int(start) : int(end)]
    locked = set(version.locked or [])
    return render(
        request,
        "hearings/passage_new.html",
        {
            "process": process,
            "version": version,
            "form": form,
            "paragraph": paragraph,
            "paragraphs": [p for p in version.paragraphs.all() if p.section not in locked],
            "sentences": list(enumerate(selectors.sentences_of(paragraph))) if paragraph else [],
            "start": start,
            "end": end,
            "chosen": chosen,
        },
    )


def passage_detail(request: HttpRequest, pk: int) -> HttpResponse:
    passage = get_object_or_404(
        Passage.objects.select_related("process", "version", "current_version"), pk=pk
    )
    if not request.user.has_perm("hearings.view_process", passage.process):
        raise Http404
    paragraph = selectors.passage_paragraph(passage)
    now_text = ""
    if paragraph is not None and passage.state != Passage.State.EARLIER:
        now_text = paragraph.text[passage.current_start : passage.current_end]
    return render(
        request,
        "hearings/passage.html",
        {
            "process": passage.process,
            "passage": passage,
            "paragraph": paragraph,
            "now_text": now_text,
        },
    )


def versions(request: HttpRequest, pk: int) -> HttpResponse:
    process = _process(request, pk)
    all_versions = list(process.versions.order_by("-number"))
    numbers = [v.number for v in all_versions]
    old = request.GET.get("fra", "")
    new = request.GET.get("til", "")
    rows = None
    old_version = new_version = None
    if old.isdigit() and new.isdigit():
        old_version = process.versions.filter(number=int(old)).first()
        new_version = process.versions.filter(number=int(new)).first()
        if old_version is not None and new_version is not None:
            rows = selectors.difference(old_version, new_version)
    elif len(numbers) >= 2:
        old, new = str(numbers[1]), str(numbers[0])
    return render(
        request,
        "hearings/versions.html",
        {
            "process": process,
            "versions": all_versions,
            "numbers": numbers,
            "old": old,
            "new": new,
            "rows": rows,
            "old_version": old_version,
            "new_version": new_version,
            "may_publish": request.user.has_perm("hearings.version_process", process),
        },
    )


# --- debate and proposals ------------------------------------------------------------------


@require_POST
@login_required
def question_choose(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(Question.objects.select_related("process"), pk=pk)
    _process(request, question.process_id)
    raw = request.POST.get("index", "")
    try:
        services.question_choose(
            question=question, user=request.user, index=int(raw) if raw.isdigit() else -1
        )
    except services.HearingRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Your answer is saved."))
    return redirect(question.get_absolute_url())


@require_POST
@login_required
@ratelimit("hearing-propose", "10/h")
def proposal_create(request: HttpRequest, pk: int) -> HttpResponse:
    process = _process(request, pk)
    form = forms.ProposalForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A proposal needs a title and a text."))
        return redirect(process.get_absolute_url() + "#proposals")
    try:
        proposal = services.proposal_create(
            process=process,
            user=request.user,
            title=form.cleaned_data["title"],
            text=form.cleaned_data["text"],
        )
    except services.HearingRefused as refusal:
        messages.error(request, refusal.message)
        return redirect(process.get_absolute_url() + "#proposals")
    messages.success(request, _("Your proposal is published."))
    return redirect(proposal)


def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(Proposal.objects.select_related("process", "author"), pk=pk)
    process = _process(request, proposal.process_id)
    if proposal.hidden_at is not None and not request.user.has_perm("hearings.moderate_process"):
        raise Http404
    return render(request, "hearings/proposal.html", {"process": process, "proposal": proposal})


# --- hearing answers -----------------------------------------------------------------------


def answers(request: HttpRequest, pk: int) -> HttpResponse:
    process = _process(request, pk)
    return render(
        request,
        "hearings/answers.html",
        {
            "process": process,
            "answers": list(selectors.answers_public(process)),
            "may_answer": request.user.has_perm("hearings.answer_process", process),
            "step_up": _answer_step_up(request, process),
            "may_tag": request.user.has_perm("hearings.export_process", process),
        },
    )


def _answer_step_up(request: HttpRequest, process: Process) -> dict | None:
    """The MitID level a hearing answer asks for, said before the person starts (step-up)."""
    return step_up_notice(
        request,
        process.answer_assurance,
        next_url=reverse("hearings:answer_new", args=[process.pk]),
    )


@ratelimit("hearing-answer", "10/h")
def answer_new(request: HttpRequest, pk: int) -> HttpResponse:
    process = _process(request, pk)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={request.path}")
    may = request.user.has_perm("hearings.answer_process", process)
    if may:
        step_up = step_up_redirect(request, process.answer_assurance)
        if step_up is not None:
            return step_up
    form = forms.AnswerForm(
        request.POST or None,
        request.FILES or None,
        initial={"name": request.user.public_name},
        organisation=request.user.organisation_name if request.user.is_organisation else "",
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.answer_submit(
                process=process,
                user=request.user,
                name=d["name"],
                organisation=d["organisation"],
                text=d["text"],
                consent=d["consent"],
                files=d["files"],
            )
        except services.HearingRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request, _("Thank you. Your hearing answer is received and goes to the case file.")
            )
            return redirect(process)
    return render(
        request,
        "hearings/answer_form.html",
        {"process": process, "form": form, "may": may, "organisation": request.user},
    )


# --- staff -------------------------------------------------------------------------------


def _phase_initial(process: Process | None) -> dict:
    initial: dict = {}
    if process is None:
        return initial
    for phase in process.phases.all():
        initial[f"{phase.kind}_starts"] = timezone.localtime(phase.starts_at)
        if phase.ends_at:
            initial[f"{phase.kind}_ends"] = timezone.localtime(phase.ends_at)
    return initial


def process_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not request.user.has_perm("hearings.manage_process"):
        raise PermissionDenied
    process = _staff(request, pk) if pk else None
    from samskab.places.selectors import place_of

    place = place_of(process) if process else None
    initial = (
        {
            "title": process.title,
            "summary": process.summary,
            "result": process.result,
            "is_published": process.is_published,
            "answer_assurance": process.answer_assurance,
            "area": place.area if place else "",
        }
        if process
        else {}
    )
    form = forms.ProcessForm(request.POST or None, initial=initial)
    phases = forms.PhasesForm(request.POST or None, initial=_phase_initial(process))
    if request.method == "POST" and form.is_valid() and phases.is_valid():
        d, p = form.cleaned_data, phases.cleaned_data
        from django.db import transaction

        from samskab.places.services import PlaceRefused, place_set

        try:
            with transaction.atomic():
                if process is None:
                    process = services.process_create(user=request.user, title=d["title"])
                services.process_update(
                    process=process,
                    user=request.user,
                    title=d["title"],
                    summary=d["summary"],
                    result=d["result"],
                    is_published=d["is_published"],
                    answer_assurance=d["answer_assurance"],
                )
                for kind in Phase.Kind.values:
                    starts, ends = p.get(f"{kind}_starts"), p.get(f"{kind}_ends")
                    if starts:
                        services.phase_set(
                            process=process,
                            user=request.user,
                            kind=kind,
                            starts_at=starts,
                            ends_at=ends,
                        )
                    else:
                        process.phases.filter(kind=kind).delete()
                place_set(target=process, user=request.user, area=d["area"])
        except (services.HearingRefused, PlaceRefused) as refusal:
            form.add_error(None, refusal.message)
            if pk is None:
                process = None
        else:
            messages.success(request, _("The hearing is saved."))
            return redirect(process)
    return render(
        request, "hearings/process_form.html", {"process": process, "form": form, "phases": phases}
    )


def version_new(request: HttpRequest, pk: int) -> HttpResponse:
    process = _staff(request, pk, "hearings.version_process")
    latest = selectors.latest_version(process)
    form = forms.VersionForm(
        request.POST or None,
        request.FILES or None,
        initial={"markdown": latest.markdown if latest else ""},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        sections = {
            label.replace(" ", "").lower().lstrip("§")
            for label in d["locked"].split(",")
            if label.strip()
        }
        upload = d.get("docx")
        try:
            version = services.version_publish(
                process=process,
                user=request.user,
                markdown=d["markdown"],
                docx=upload.read() if upload else None,
                changelog=d["changelog"],
                locked=[f"p{n}" for n in sections],
            )
        except services.HearingRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("Version %(n)d is published.") % {"n": version.number})
            return redirect(reverse("hearings:draft", args=[process.pk]))
    return render(
        request, "hearings/version_form.html", {"process": process, "form": form, "latest": latest}
    )


@require_POST
def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    process = _staff(request, pk)
    form = forms.QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.question_add(
                process=process,
                user=request.user,
                text=form.cleaned_data["text"],
                choices=form.cleaned_data["choices"],
            )
        except services.HearingRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("The question is added."))
    return redirect(reverse("hearings:edit", args=[process.pk]))


def casework(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff read the answers, tag them by theme and section, and write the hvidbog."""
    process = _staff(request, pk, "hearings.export_process")
    theme = request.GET.get("tema", "")
    section = request.GET.get("paragraf", "")[:60]
    version = selectors.latest_version(process)
    sections = selectors.sections_of(version)
    themes = list(process.themes.all())
    rows = []
    for answer in selectors.answers_for_staff(
        process, theme=int(theme) if theme.isdigit() else None, section=section
    ):
        tag = forms.TagForm(
            prefix=f"a{answer.pk}",
            initial={
                "themes": [str(t.pk) for t in answer.themes.all()],
                "sections": answer.sections,
            },
        )
        tag.fields["themes"].choices = [(str(t.pk), t.name) for t in themes]
        tag.fields["sections"].choices = sections
        rows.append((answer, tag))
    return render(
        request,
        "hearings/casework.html",
        {
            "process": process,
            "rows": rows,
            "themes": [
                (t, forms.ResponseForm(prefix=f"t{t.pk}", initial={"response": t.response}))
                for t in themes
            ],
            "theme_form": forms.ThemeForm(),
            "may_tag": request.user.has_perm("hearings.tag_answer", process),
            "exports": list(process.exports.all()[:5]),
            "theme": theme,
            "section": section,
            "sections": sections,
        },
    )


@require_POST
def answer_tag(request: HttpRequest, pk: int) -> HttpResponse:
    answer = get_object_or_404(Answer.objects.select_related("process"), pk=pk)
    _staff(request, answer.process_id, "hearings.export_process")
    themes = Theme.objects.filter(
        process=answer.process,
        pk__in=[v for v in request.POST.getlist(f"a{pk}-themes") if v.isdigit()],
    )
    try:
        services.answer_tag(
            answer=answer,
            user=request.user,
            themes=themes,
            sections=request.POST.getlist(f"a{pk}-sections"),
        )
    except services.HearingRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Answer no. %(n)d is tagged.") % {"n": answer.number})
    return redirect(reverse("hearings:casework", args=[answer.process_id]) + f"#answer-{answer.pk}")


@require_POST
def theme_add(request: HttpRequest, pk: int) -> HttpResponse:
    process = _staff(request, pk, "hearings.export_process")
    form = forms.ThemeForm(request.POST)
    if form.is_valid():
        try:
            services.theme_add(process=process, user=request.user, name=form.cleaned_data["name"])
        except services.HearingRefused as refusal:
            messages.error(request, refusal.message)
    return redirect(reverse("hearings:casework", args=[process.pk]) + "#themes")


@require_POST
def theme_respond(request: HttpRequest, pk: int) -> HttpResponse:
    theme = get_object_or_404(Theme.objects.select_related("process"), pk=pk)
    _staff(request, theme.process_id, "hearings.export_process")
    try:
        services.theme_respond(
            theme=theme, user=request.user, response=request.POST.get(f"t{pk}-response", "")
        )
    except services.HearingRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request, _("The municipality's answer to “%(theme)s” is saved.") % {"theme": theme.name}
        )
    return redirect(reverse("hearings:casework", args=[theme.process_id]) + f"#theme-{theme.pk}")


def export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    process = _staff(request, pk, "hearings.export_process")
    response = HttpResponse(exports.case_file_csv(process), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="hoeringssvar-{process.pk}.csv"'
    return response


@require_POST
def export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    process = _staff(request, pk, "hearings.export_process")
    try:
        services.export_request(process=process, user=request.user)
    except services.HearingRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The case file is being built. Reload the page in a moment."))
    return redirect(reverse("hearings:casework", args=[process.pk]) + "#export")


def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    export = get_object_or_404(Export, pk=pk, state=Export.State.DONE)
    _staff(request, export.process_id, "hearings.export_process")
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=f"hoeringssvar-{export.process_id}.pdf",
        content_type="application/pdf",
    )
