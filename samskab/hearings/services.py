"""Every write to hearings: processes and phases, questions and proposals, versions of the
draft (with the re-anchoring of every passage), comments on passages, hearing answers with
their attachments, staff's tags and the municipality's answers, and the case-file export.

Each write asks the permission rules.py gives for the phase open now, and is one
transaction: a refused write leaves nothing half saved.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from samskab.activity.services import event_record
from samskab.core.assurance import Assurance
from samskab.core.markdown import render_markdown
from samskab.core.text import clean_text
from samskab.core.uploads import check_pdf, image_format, reencode_image
from samskab.hearings import anchoring, drafts
from samskab.hearings.models import (
    ANSWER_MAX,
    Answer,
    Choice,
    Export,
    Paragraph,
    Passage,
    Phase,
    Process,
    Proposal,
    Question,
    Theme,
    Version,
)

MAX_ATTACHMENTS = 5
ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_PASSAGE = 2000


class HearingRefused(Exception):
    """A write that may not happen; the message is for the person who tried."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _require(user, permission: str, obj, message: str) -> None:
    if not user.has_perm(permission, obj):
        raise HearingRefused(message)


# --- processes and phases -----------------------------------------------------------------


def process_create(
    *,
    user,
    title: str,
    summary: str = "",
    phases: Iterable[tuple[str, datetime, datetime | None]] = (),
) -> Process:
    _require(user, "hearings.manage_process", None, _("Only editors can start a hearing."))
    title = clean_text(title, line=True).strip()
    if not title:
        raise HearingRefused(_("A hearing needs a title."))
    summary = clean_text(summary).strip()
    with transaction.atomic():
        process = Process.objects.create(
            title=title[:200],
            summary=summary,
            summary_html=render_markdown(summary),
            created_by=user,
        )
        for kind, starts_at, ends_at in phases:
            phase_set(process=process, user=user, kind=kind, starts_at=starts_at, ends_at=ends_at)
    return process


def process_update(
    *,
    process: Process,
    user,
    title: str,
    summary: str,
    result: str,
    is_published: bool,
    answer_assurance: str | None = None,
) -> Process:
    _require(user, "hearings.manage_process", process, _("Only editors can change a hearing."))
    title = clean_text(title, line=True).strip()
    if not title:
        raise HearingRefused(_("A hearing needs a title."))
    process.title = title[:200]
    process.summary = clean_text(summary).strip()
    process.summary_html = render_markdown(process.summary)
    process.result = clean_text(result).strip()
    process.result_html = render_markdown(process.result)
    process.is_published = is_published
    if answer_assurance is not None:
        if answer_assurance not in Assurance.values:
            raise HearingRefused(_("Choose one of the MitID levels."))
        process.answer_assurance = answer_assurance
    process.save()
    return process


def phase_set(
    *, process: Process, user, kind: str, starts_at: datetime, ends_at: datetime | None
) -> Phase:
    """A phase's dates (a new phase, or new dates). Phases may not overlap."""
    _require(user, "hearings.manage_process", process, _("Only editors can change the phases."))
    if kind not in Phase.Kind.values:
        raise HearingRefused(_("Choose one of the phases."))
    if ends_at is not None and ends_at <= starts_at:
        raise HearingRefused(_("A phase must end after it starts."))
    with transaction.atomic():
        Process.objects.select_for_update().filter(pk=process.pk).first()
        for other in process.phases.exclude(kind=kind):
            other_end = other.ends_at or datetime.max.replace(tzinfo=starts_at.tzinfo)
            own_end = ends_at or datetime.max.replace(tzinfo=starts_at.tzinfo)
            if starts_at < other_end and other.starts_at < own_end:
                raise HearingRefused(
                    _("The phase overlaps the %(phase)s phase. Change the dates.")
                    % {"phase": other.get_kind_display().lower()}
                )
        phase, created = Phase.objects.update_or_create(
            process=process,
            kind=kind,
            defaults={"starts_at": starts_at, "ends_at": ends_at},
        )
        if not created and phase.announced_at and phase.announced_at < starts_at:
            phase.announced_at = None  # moved later: tell the followers when it opens
            phase.save(update_fields=["announced_at"])
    return phase


def phases_announce(*, now: datetime | None = None) -> int:
    """Tell the followers of each published process about each phase that has opened and
    was not announced (the `hearings_announce` command, run every few minutes)."""
    now = now or timezone.now()
    told = 0
    due = Phase.objects.filter(
        announced_at__isnull=True, starts_at__lte=now, process__is_published=True
    ).select_related("process")
    for phase in due:
        if not phase.is_open(now):
            Phase.objects.filter(pk=phase.pk).update(announced_at=now)
            continue
        with transaction.atomic():
            if Phase.objects.filter(pk=phase.pk, announced_at__isnull=True).update(
                announced_at=now
            ):
                event_record(target=phase.process, kind="phase", note=phase.kind)
                told += 1
    return told


# --- debate and proposals ---------------------------------------------------------------


def question_add(*, process: Process, user, text: str, choices: str = "") -> Question:
    _require(user, "hearings.manage_process", process, _("Only editors can ask questions."))
    text = clean_text(text, line=True).strip()
    if not text:
        raise HearingRefused(_("Write the question."))
    position = (process.questions.aggregate(n=Max("position"))["n"] or 0) + 1
    return Question.objects.create(
        process=process, text=text[:300], choices=clean_text(choices)[:2000], position=position
    )


def question_choose(*, question: Question, user, index: int) -> Choice:
    _require(user, "hearings.choose_question", question, _("The questions cannot be answered now."))
    if not 0 <= index < len(question.choice_list()):
        raise HearingRefused(_("Choose one of the answers."))
    choice, _created = Choice.objects.update_or_create(
        question=question, user=user, defaults={"index": index}
    )
    return choice


def proposal_create(*, process: Process, user, title: str, text: str) -> Proposal:
    _require(user, "hearings.propose_process", process, _("Proposals cannot be made now."))
    title = clean_text(title, line=True).strip()
    text = clean_text(text).strip()
    if not title or not text:
        raise HearingRefused(_("A proposal needs a title and a text."))
    if len(title) > 150 or len(text) > 5000:
        raise HearingRefused(_("The title or the text is too long."))
    return Proposal.objects.create(
        process=process, author=user, title=title, text=text, text_html=render_markdown(text)
    )


# --- versions -----------------------------------------------------------------------------


def _draft_message(error: drafts.DraftError) -> str:
    return {
        "not_docx": _("The file is not a Word document (.docx). Save it as .docx and try again."),
        "too_large": _("The Word document is too large. The limit is 5 MB."),
        "too_long": _("The text is too long for one draft."),
        "too_many": _("The draft has too many paragraphs."),
        "empty": _("The document has no text."),
    }.get(error.code, _("The draft could not be read."))


def version_publish(
    *,
    process: Process,
    user,
    markdown: str = "",
    docx: bytes | None = None,
    changelog: str = "",
    locked: Sequence[str] = (),
) -> Version:
    """Publish a new version of the draft (from Markdown or a .docx), and carry every
    passage commented on the previous version over to it. Followers are told."""
    _require(user, "hearings.version_process", process, _("Only editors can publish a version."))
    source = Version.Source.MARKDOWN
    try:
        if docx is not None:
            markdown = drafts.docx_to_markdown(docx)
            source = Version.Source.DOCX
        markdown = clean_text(markdown).strip()
        if not markdown:
            raise HearingRefused(_("The draft has no text."))
        blocks = drafts.blocks_of(markdown)
    except drafts.DraftError as error:
        raise HearingRefused(_draft_message(error)) from None
    if not blocks:
        raise HearingRefused(_("The draft has no text."))
    sections = {block.section for block in blocks if block.section}
    locked = [anchor for anchor in locked if anchor in sections]
    with transaction.atomic():
        Process.objects.select_for_update().filter(pk=process.pk).first()
        previous = process.versions.order_by("-number").first()
        version = Version.objects.create(
            process=process,
            number=(previous.number + 1) if previous else 1,
            markdown=markdown,
            changelog=clean_text(changelog).strip()[:5000],
            source=source,
            locked=list(locked),
            created_by=user,
        )
        Paragraph.objects.bulk_create(
            Paragraph(
                version=version,
                position=i,
                anchor=block.anchor,
                section=block.section,
                label=block.label,
                kind=block.kind,
                level=block.level,
                text=block.text,
            )
            for i, block in enumerate(blocks)
        )
        if previous is not None:
            passages_reanchor(previous=previous, version=version)
        # Passages moved or became "about an earlier version": every version's page changes.
        Process.objects.filter(pk=process.pk).update(draft_state=F("draft_state") + 1)
        if process.is_published:
            event_record(target=process, kind="version", note=str(version.number), actor=user)
    return version


def _texts(version: Version) -> dict[str, str]:
    return dict(version.paragraphs.values_list("anchor", "text"))


def passages_reanchor(*, previous: Version, version: Version) -> dict[str, int]:
    """Move every passage found on `previous` to `version` (anchoring.reanchor); those not
    found stay "about an earlier version" with their old text. Returns the count by state."""
    aligner = anchoring.Aligner(_texts(previous), _texts(version))
    counts = dict.fromkeys(Passage.State.values, 0)
    # Most passages stay where they were: those move with one UPDATE per chunk of ids;
    # only the ones that moved or changed state are written one by one (bulk_update).
    same: list[int] = []
    changed: list[Passage] = []
    rows = (
        Passage.objects.filter(current_version=previous)
        .exclude(state=Passage.State.EARLIER)
        .only(
            "pk",
            "current_anchor",
            "current_start",
            "current_end",
            "state",
            "quote",
            "prefix",
            "suffix",
        )
    )
    for passage in rows.iterator(chunk_size=2000):
        spot = anchoring.reanchor(
            anchoring.Where(
                passage.current_anchor,
                passage.current_start,
                passage.current_end,
                passage.quote,
                passage.prefix,
                passage.suffix,
            ),
            aligner,
        )
        counts[spot.state] += 1
        if spot.state == Passage.State.EARLIER:
            passage.state = spot.state
            changed.append(passage)
            continue
        if (spot.anchor, spot.start, spot.end, spot.state) == (
            passage.current_anchor,
            passage.current_start,
            passage.current_end,
            passage.state,
        ):
            same.append(passage.pk)
            continue
        passage.current_version = version
        passage.current_anchor = spot.anchor
        passage.current_start = spot.start
        passage.current_end = spot.end
        passage.state = spot.state
        changed.append(passage)
    for start in range(0, len(same), 900):
        Passage.objects.filter(pk__in=same[start : start + 900]).update(current_version=version)
    Passage.objects.bulk_update(
        changed,
        ["current_version", "current_anchor", "current_start", "current_end", "state"],
        batch_size=500,
    )
    return counts


# --- comments on passages -----------------------------------------------------------------


def passage_find_or_make(
    *,
    version: Version,
    user,
    anchor: str,
    start: int | None = None,
    end: int | None = None,
    first_sentence: int | None = None,
    last_sentence: int | None = None,
) -> Passage:
    """The passage someone chose: by offsets (mouse or touch) or by sentences (keyboard).
    The same passage twice is one passage with two threads' worth of comments."""
    if not user.has_perm("hearings.comment_passage", version.process):
        raise HearingRefused(_("The draft cannot be commented on now."))
    latest = version.process.versions.order_by("-number").first()
    if latest is None or latest.pk != version.pk:
        raise HearingRefused(_("A newer version of the draft is published. Comment on that."))
    paragraph = version.paragraphs.filter(anchor=anchor).first()
    if paragraph is None:
        raise HearingRefused(_("Choose a paragraph of the draft."))
    if paragraph.section and paragraph.section in (version.locked or []):
        raise HearingRefused(
            _("The municipality has locked %(section)s; it cannot be commented on.")
            % {"section": paragraph.label.split(",")[0]}
        )
    text = paragraph.text
    if start is None or end is None:
        spans = drafts.sentences(text)
        if first_sentence is None:
            first_sentence, last_sentence = 0, len(spans) - 1
        if last_sentence is None:
            last_sentence = first_sentence
        if not (0 <= first_sentence <= last_sentence < len(spans)):
            raise HearingRefused(_("Choose the first and the last sentence in order."))
        start, end = spans[first_sentence][0], spans[last_sentence][1]
    if not (0 <= start < end <= len(text)) or not text[start:end].strip():
        raise HearingRefused(_("The selection is empty. Select some of the text."))
    if end - start > MAX_PASSAGE:
        raise HearingRefused(_("The selection is too long. Choose a shorter passage."))
    # Spaces at the ends of a selection are not part of the passage.
    while text[start].isspace():
        start += 1
    while text[end - 1].isspace():
        end -= 1
    found = Passage.objects.filter(
        current_version=version, current_anchor=anchor, current_start=start, current_end=end
    ).first()
    if found is not None:
        return found
    prefix, suffix = anchoring.context_of(text, start, end)
    return Passage.objects.create(
        process=version.process,
        version=version,
        anchor=anchor,
        start=start,
        end=end,
        quote=text[start:end],
        prefix=prefix,
        suffix=suffix,
        current_version=version,
        current_anchor=anchor,
        current_start=start,
        current_end=end,
        created_by=user,
    )


def passage_comment(*, version: Version, user, body: str, language: str = "", **where) -> tuple:
    """Comment on a passage: (passage, comment). Refused -> nothing stored."""
    from samskab.comments.services import CommentError, comment_post

    try:
        with transaction.atomic():
            passage = passage_find_or_make(version=version, user=user, **where)
            comment = comment_post(target=passage, body=body, author=user, language=language)
    except CommentError as error:
        raise HearingRefused(error.message) from None
    return passage, comment


def passage_recount(*, passage_id: int) -> None:
    from django.contrib.contenttypes.models import ContentType

    from samskab.comments.models import Comment

    # The process's row first (version_publish locks it first too): its draft_state moves
    # on, so the draft page's cached copy is not read again once this commits.
    Process.objects.filter(passages__pk=passage_id).update(draft_state=F("draft_state") + 1)
    count = Comment.objects.filter(
        content_type=ContentType.objects.get_for_model(Passage),
        object_id=passage_id,
        status=Comment.Status.PUBLISHED,
    ).count()
    Passage.objects.filter(pk=passage_id).update(comment_count=count)


# --- hearing answers ------------------------------------------------------------------------


def _checked_attachments(files) -> list[tuple[str, ContentFile, str]]:
    """Every file checked before anything is stored: ("document" | "image", content, title)."""
    if len(files) > MAX_ATTACHMENTS:
        raise HearingRefused(
            _("Attach at most %(n)d files to one answer.") % {"n": MAX_ATTACHMENTS}
        )
    checked: list[tuple[str, ContentFile, str]] = []
    for upload in files:
        title = (getattr(upload, "name", "") or _("Attachment"))[:200]
        upload.seek(0)
        head = upload.read(5)
        upload.seek(0)
        try:
            if head.startswith(b"%PDF-"):
                checked.append(("document", check_pdf(upload, max_bytes=ATTACHMENT_BYTES), title))
                continue
            try:
                image_format(upload)
            except ValidationError:
                raise HearingRefused(
                    _("“%(name)s” is neither a PDF nor a picture (PNG, JPEG or WebP).")
                    % {"name": title}
                ) from None
            checked.append(("image", reencode_image(upload, max_bytes=ATTACHMENT_BYTES), title))
        except ValidationError as error:
            raise HearingRefused(f"{title}: {' '.join(error.messages)}") from None
    return checked


def answer_submit(
    *,
    process: Process,
    user,
    name: str,
    text: str,
    consent: bool,
    organisation: str = "",
    files: Sequence = (),
) -> Answer:
    """A hearing answer before the deadline, with its attachments (PDF or pictures), all
    or nothing."""
    if not user.has_perm("hearings.answer_process", process):
        if user.is_authenticated and process.is_published:
            raise HearingRefused(_("The hearing is not open; answers cannot be submitted now."))
        raise HearingRefused(_("Sign in to submit a hearing answer."))
    name = clean_text(name, line=True).strip()[:120]
    organisation = clean_text(organisation, line=True).strip()[:200]
    cvr = ""
    if getattr(user, "is_organisation", False):
        # An organisation's login answers in the organisation's name; the person who logged
        # in for it is not named on the answer (the account link stays, for the case file's
        # questions and the GDPR export).
        organisation = name = user.organisation_name or ""
        cvr = user.organisation_cvr
        if not name:
            raise HearingRefused(_("Your organisation's login has no name. Log in again."))
    text = clean_text(text).strip()
    if not name:
        raise HearingRefused(_("Give the name to show with your answer."))
    if not text:
        raise HearingRefused(_("Write your answer."))
    if len(text) > ANSWER_MAX:
        raise HearingRefused(_("The answer is too long."))
    checked = _checked_attachments(list(files))
    from samskab.attachments.services import AttachmentRefused, document_add, image_add

    with transaction.atomic():
        Process.objects.select_for_update().filter(pk=process.pk).first()
        number = (process.answers.aggregate(n=Max("number"))["n"] or 0) + 1
        answer = Answer.objects.create(
            process=process,
            author=user,
            name=name,
            organisation=organisation,
            organisation_cvr=cvr,
            text=text,
            consent=consent,
            number=number,
        )
        try:
            for kind, content, title in checked:
                if kind == "document":
                    document_add(target=answer, user=user, document=content, title=title)
                else:
                    image_add(target=answer, user=user, image=content, alt=title)
        except AttachmentRefused as refusal:
            raise HearingRefused(refusal.message) from None
    return answer


def answer_tag(*, answer: Answer, user, themes: Iterable[Theme], sections: Iterable[str]) -> Answer:
    _require(user, "hearings.tag_answer", answer, _("Answers cannot be tagged now."))
    themes = list(themes)
    if any(theme.process_id != answer.process_id for theme in themes):
        raise HearingRefused(_("Choose the themes of this hearing."))
    latest = answer.process.versions.order_by("-number").first()
    known = set(latest.paragraphs.values_list("section", flat=True)) if latest else set()
    known |= set(latest.paragraphs.values_list("anchor", flat=True)) if latest else set()
    sections = [s for s in dict.fromkeys(sections) if s in known]
    with transaction.atomic():
        answer.themes.set(themes)
        answer.sections = sections
        answer.save(update_fields=["sections"])
    return answer


def theme_add(*, process: Process, user, name: str) -> Theme:
    _require(user, "hearings.respond_process", process, _("Themes cannot be added now."))
    name = clean_text(name, line=True).strip()[:120]
    if not name:
        raise HearingRefused(_("Name the theme."))
    position = (process.themes.aggregate(n=Max("position"))["n"] or 0) + 1
    try:
        with transaction.atomic():
            return Theme.objects.create(process=process, name=name, position=position)
    except IntegrityError:
        raise HearingRefused(_("The hearing has that theme already.")) from None


def theme_respond(*, theme: Theme, user, response: str) -> Theme:
    _require(user, "hearings.respond_process", theme, _("The answers cannot be written now."))
    theme.response = clean_text(response).strip()[:20000]
    theme.response_html = render_markdown(theme.response)
    theme.save(update_fields=["response", "response_html"])
    return theme


# --- the case file --------------------------------------------------------------------------


def export_request(*, process: Process, user) -> Export:
    """Queue the case-file PDF (built by the worker: exports.build_case_file)."""
    _require(user, "hearings.export_process", process, _("Only editors can export the answers."))
    from samskab.hearings.tasks import export_task

    with transaction.atomic():
        export = Export.objects.create(process=process, requested_by=user)
        transaction.on_commit(lambda: export_task.enqueue(export_id=export.pk))
    return export


def export_build(*, export_id: int) -> Export | None:
    from samskab.hearings.exports import case_file_pdf

    export = Export.objects.filter(pk=export_id).select_related("process").first()
    if export is None or export.state != Export.State.WAITING:
        return export
    try:
        data, count = case_file_pdf(export.process)
    except Exception as error:  # the staff page says it failed; the log has the rest
        export.state = Export.State.FAILED
        export.error = str(error)[:300]
        export.finished_at = timezone.now()
        export.save(update_fields=["state", "error", "finished_at"])
        raise
    import secrets

    export.file.save(
        f"hoeringssvar-{export.process_id}-{secrets.token_hex(8)}.pdf",
        ContentFile(data),
        save=False,
    )
    export.answers = count
    export.state = Export.State.DONE
    export.finished_at = timezone.now()
    export.save()
    return export
