"""Writes around a project's life: pictures and documents, following, staff decisions, the
public history, and the e-mails that tell the author and followers what changed.

Each write runs in one transaction; e-mails leave after it commits.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import pypdfium2 as pdfium
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from samskab.accounts.roles import Role, has_role
from samskab.budgets.models import (
    DOCUMENT_MAX_BYTES,
    BallotStyle,
    Budget,
    BudgetPhase,
    Phase,
    Project,
    ProjectDocument,
    ProjectEvent,
    ProjectImage,
)
from samskab.budgets.selectors import money
from samskab.budgets.services import BudgetRefused, budget_move
from samskab.core.uploads import check_size
from samskab.follows.selectors import followers_of

logger = logging.getLogger(__name__)

# While projects are collected and read, the author may still add pictures and documents.
ATTACHING_PHASES = (Phase.ACCEPTING, Phase.REVIEWING, Phase.SELECTING)
BALLOT_PHASES = (Phase.VALUATING, Phase.PUBLISHING_PRICES)


def is_project_staff(user) -> bool:
    return any(has_role(user, r) for r in (Role.VALUATOR, Role.EDITOR, Role.ADMINISTRATOR))


def is_budget_editor(user) -> bool:
    return has_role(user, Role.EDITOR) or has_role(user, Role.ADMINISTRATOR)


# --- uploads -----------------------------------------------------------------------------


def clean_project_image(upload: UploadedFile) -> ContentFile:
    """Checked by content, shrunk and stripped of metadata: the comments' picture pipeline."""
    from samskab.comments.images import clean_image

    return clean_image(upload)


def clean_project_document(upload: UploadedFile) -> ContentFile:
    """A readable, unprotected PDF within the size limit, stored under a random name."""
    check_size(upload, DOCUMENT_MAX_BYTES)
    upload.seek(0)
    data = upload.read()
    if not data.startswith(b"%PDF-"):
        raise ValidationError(_("Documents must be PDF files."), code="not_pdf")
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        raise ValidationError(
            _("The PDF file is damaged or protected and cannot be read."), code="unreadable"
        ) from None
    document.close()
    return ContentFile(data, name=f"{secrets.token_hex(8)}.pdf")


def _may_attach(project: Project, user) -> bool:
    if is_budget_editor(user):
        return True
    budget = project.heading.group.budget
    return project.author_id == user.pk and budget.phase in ATTACHING_PHASES


def project_image_add(*, project: Project, user, image: ContentFile, alt: str) -> ProjectImage:
    if not _may_attach(project, user):
        raise BudgetRefused(_("Pictures can be added by the author while projects are collected."))
    with transaction.atomic():
        return ProjectImage.objects.create(
            project=project, image=image, alt=alt.strip(), uploaded_by=user
        )


def project_document_add(
    *, project: Project, user, document: ContentFile, title: str
) -> ProjectDocument:
    if not _may_attach(project, user):
        raise BudgetRefused(_("Documents can be added by the author while projects are collected."))
    with transaction.atomic():
        return ProjectDocument.objects.create(
            project=project,
            file=document,
            title=title.strip(),
            size=document.size,
            uploaded_by=user,
        )


def project_attachment_remove(*, attachment: ProjectImage | ProjectDocument, user) -> None:
    """Staff take down a picture or document (and its file)."""
    if not (is_budget_editor(user) or has_role(user, Role.MODERATOR)):
        raise BudgetRefused(_("Only staff can remove pictures and documents."))
    field = attachment.image if isinstance(attachment, ProjectImage) else attachment.file
    name = field.name
    storage = field.storage
    with transaction.atomic():
        attachment.delete()
        transaction.on_commit(lambda: storage.delete(name))


# --- staff decisions ---------------------------------------------------------------------


def project_ballot_mark(*, project: Project, user, on_ballot: bool) -> Project:
    """Put a feasible, priced project on the ballot, or take it off again."""
    budget = project.heading.group.budget
    if not is_project_staff(user):
        raise BudgetRefused(_("Only valuators and editors decide what goes on the ballot."))
    if budget.phase not in BALLOT_PHASES:
        raise BudgetRefused(
            _("The ballot is decided while projects are valuated and prices published.")
        )
    if on_ballot:
        if project.status not in (Project.Status.FEASIBLE, Project.Status.ON_BALLOT):
            raise BudgetRefused(
                _("“%(title)s” must be assessed as feasible before it goes on the ballot.")
                % {"title": project.title}
            )
        if project.price is None:
            raise BudgetRefused(_("“%(title)s” has no price.") % {"title": project.title})
        heading = project.heading
        if heading.style == BallotStyle.KNAPSACK and project.price > heading.amount:
            # Nobody could choose it on a ballot within the amount (staff walk, finding 26).
            raise BudgetRefused(
                _("“%(title)s” costs more than the %(amount)s of “%(heading)s”.")
                % {
                    "title": project.title,
                    "amount": money(heading.amount, heading.group.budget.currency),
                    "heading": heading.name,
                }
            )
    wanted = Project.Status.ON_BALLOT if on_ballot else Project.Status.FEASIBLE
    if project.status == wanted:
        return project
    if not on_ballot and project.status != Project.Status.ON_BALLOT:
        return project
    with transaction.atomic():
        project.status = wanted
        project.save(update_fields=["status"])
        project_event_record(project=project, kind=ProjectEvent.Kind.BALLOT, actor=user)
    return project


@dataclass(frozen=True)
class PhaseDates:
    starts_on: date | None
    ends_on: date | None
    description: str


def budget_phases_save(
    *, budget: Budget, user, phase: Phase, rows: Mapping[str, PhaseDates]
) -> Budget:
    """Staff move the budget to `phase` and set every phase's dates and description."""
    if not is_budget_editor(user):
        raise BudgetRefused(_("Only editors can move a budget between phases."))
    for value, row in rows.items():
        if row.starts_on and row.ends_on and row.ends_on < row.starts_on:
            raise BudgetRefused(
                _("“%(phase)s” ends before it starts.") % {"phase": Phase(value).label}
            )
    with transaction.atomic():
        for value, row in rows.items():
            BudgetPhase.objects.update_or_create(
                budget=budget,
                phase=value,
                defaults={
                    "starts_on": row.starts_on,
                    "ends_on": row.ends_on,
                    "description": row.description.strip(),
                },
            )
        if phase != budget.phase:
            budget_move(budget=budget, phase=phase)
    return budget


# --- history and e-mail ------------------------------------------------------------------


def project_event_record(
    *, project: Project, kind: ProjectEvent.Kind, note: str = "", actor=None, notify: bool = True
) -> ProjectEvent:
    """Add a step to the project's public history; tell the author and followers on commit."""
    event = ProjectEvent.objects.create(
        project=project, kind=kind, status=project.status, note=note, actor=actor
    )
    if notify:
        transaction.on_commit(lambda: project_event_mail(event=event))
    return event


def project_change_record(
    *, project: Project, status: str, feasibility_explanation: str, price: int | None, actor
) -> list[ProjectEvent]:
    """History and e-mails for a project changed outside the staff pages (the Django admin),
    given what it was before: the same entries the staff pages would have written.

    A new assessment is a feasibility entry, a new price a price entry (one e-mail when both
    change: the price's), going on or off the ballot a ballot entry, a winner or not a result
    entry, and any other new status a plain status entry.
    """
    events = []
    Status, Kind = Project.Status, ProjectEvent.Kind
    price_changed = project.price is not None and project.price != price
    if project.status != status:
        if project.status == Status.ON_BALLOT or status == Status.ON_BALLOT:
            kind = Kind.BALLOT
        elif project.status in (Status.FEASIBLE, Status.UNFEASIBLE):
            kind = Kind.FEASIBILITY
        elif project.status in (Status.WINNER, Status.NOT_WINNER):
            kind = Kind.RESULT
        else:
            kind = Kind.STATUS
        note = project.feasibility_explanation if kind == Kind.FEASIBILITY else ""
        events.append(
            project_event_record(
                project=project,
                kind=kind,
                note=note,
                actor=actor,
                notify=not (price_changed and kind == Kind.FEASIBILITY),
            )
        )
    elif project.feasibility_explanation != feasibility_explanation and project.status in (
        Status.FEASIBLE,
        Status.UNFEASIBLE,
    ):
        events.append(
            project_event_record(
                project=project,
                kind=Kind.FEASIBILITY,
                note=project.feasibility_explanation,
                actor=actor,
                notify=not price_changed,
            )
        )
    if price_changed:
        events.append(
            project_event_record(
                project=project, kind=Kind.PRICE, note=project.price_explanation, actor=actor
            )
        )
    return events


def _recipients(project: Project) -> Iterable[tuple[str, str]]:
    """(address, language) of the author and every follower, each address once."""
    seen: set[str] = set()
    author = project.author
    if author is not None and author.email and not author.deleted_at and author.is_active:
        seen.add(author.email.lower())
        yield author.email, project.language or settings.LANGUAGE_CODE
    # The project's followers and the budget's (follows.selectors.followers_of).
    for follow in followers_of(project):
        user = follow.user
        if user.email and user.email.lower() not in seen:
            seen.add(user.email.lower())
            yield user.email, follow.language or settings.LANGUAGE_CODE


def _subject(event: ProjectEvent) -> str:
    project = event.project
    title = project.title
    if event.kind == ProjectEvent.Kind.FEASIBILITY:
        if project.status == Project.Status.UNFEASIBLE:
            return _("Your project “%(title)s” cannot be carried out") % {"title": title}
        return _("Your project “%(title)s” can be carried out") % {"title": title}
    if event.kind == ProjectEvent.Kind.PRICE:
        return _("The price of “%(title)s” is set") % {"title": title}
    if event.kind == ProjectEvent.Kind.BALLOT:
        if project.status == Project.Status.ON_BALLOT:
            return _("“%(title)s” is on the ballot") % {"title": title}
        return _("“%(title)s” is no longer on the ballot") % {"title": title}
    if event.kind == ProjectEvent.Kind.RESULT:
        if project.status == Project.Status.WINNER:
            return _("“%(title)s” won the vote") % {"title": title}
        return _("“%(title)s” was not funded") % {"title": title}
    return _("News about “%(title)s”") % {"title": title}


def _headline(event: ProjectEvent) -> str:
    project = event.project
    status = project.status
    if event.kind == ProjectEvent.Kind.FEASIBILITY:
        if status == Project.Status.UNFEASIBLE:
            return _(
                "The municipality has assessed the project and found that it cannot be carried out."
            )
        return _("The municipality has assessed the project and found that it can be carried out.")
    if event.kind == ProjectEvent.Kind.PRICE:
        return _(
            "The municipality has assessed the project: it can be carried out, and its "
            "price is %(price)s."
        ) % {"price": money(project.price or 0, project.heading.group.budget.currency)}
    if event.kind == ProjectEvent.Kind.BALLOT:
        if status == Project.Status.ON_BALLOT:
            return _("The project is on the ballot. Citizens can vote for it when the vote opens.")
        return _("The project has been taken off the ballot.")
    if event.kind == ProjectEvent.Kind.RESULT:
        if status == Project.Status.WINNER:
            return _(
                "The vote is counted, and the project won. The municipality will carry it out."
            )
        return _("The vote is counted, and the project did not get enough votes to be funded.")
    return _("The project has news.")


def project_event_mail(*, event: ProjectEvent) -> int:
    """Send the event to each recipient in their language, plain text and HTML.

    Returns how many were sent; a failing mail server is logged, never shown to staff as an
    error, since the decision itself is saved.
    """
    event = ProjectEvent.objects.select_related("project__heading__group__budget").get(pk=event.pk)
    project = event.project
    sent = 0
    for address, language in _recipients(project):
        with translation.override(language):
            context = {
                "event": event,
                "project": project,
                "budget": project.heading.group.budget,
                "is_author": project.author is not None and project.author.email == address,
                "url": settings.SITE_URL.rstrip("/") + project.get_absolute_url(),
                "headline": _headline(event),
                "feasibility": project.feasibility_explanation
                if event.kind in (ProjectEvent.Kind.FEASIBILITY, ProjectEvent.Kind.PRICE)
                else "",
                "price_explanation": project.price_explanation
                if event.kind == ProjectEvent.Kind.PRICE
                else "",
            }
            mail = EmailMultiAlternatives(
                subject=_subject(event),
                body=render_to_string("budgets/email/event.txt", context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[address],
            )
            mail.attach_alternative(
                render_to_string("budgets/email/event.html", context), "text/html"
            )
        try:
            mail.send()
        except Exception:  # the mail server is down: the history on the page still says it
            logger.exception("budgets: could not e-mail %s about project %s", address, project.pk)
        else:
            sent += 1
    return sent
