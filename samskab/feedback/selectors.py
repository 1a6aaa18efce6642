"""Reads for the feedback inbox: the filtered list, its filters' options, and who handles it."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from samskab.accounts.roles import Role
from samskab.feedback.models import FeedbackMessage
from samskab.webcasts.models import Meeting, Person

# The "to" filter's value for messages to the municipality (no politician).
TO_MUNICIPALITY = "municipality"
# The assignee filter's values besides a colleague's id.
MINE = "me"
NOBODY = "none"


def inbox(
    *,
    user,
    status: str = "",
    meeting: int | None = None,
    to: str = "",
    assignee: str = "",
    query: str = "",
) -> QuerySet[FeedbackMessage]:
    """The inbox, newest first, narrowed by status, meeting, politician (or the
    municipality), assignee ("me", "none" or an id) and words in the message or sender."""
    messages = FeedbackMessage.objects.select_related("meeting", "person", "assigned_to").annotate(
        reply_count=Count("replies")
    )
    if status:
        messages = messages.filter(status=status)
    if meeting:
        messages = messages.filter(meeting_id=meeting)
    if to == TO_MUNICIPALITY:
        messages = messages.filter(person__isnull=True)
    elif to.isdigit():
        messages = messages.filter(person_id=int(to))
    if assignee == MINE:
        messages = messages.filter(assigned_to=user)
    elif assignee == NOBODY:
        messages = messages.filter(assigned_to__isnull=True)
    elif assignee.isdigit():
        messages = messages.filter(assigned_to_id=int(assignee))
    if query:
        messages = messages.filter(
            Q(message__icontains=query) | Q(name__icontains=query) | Q(email__icontains=query)
        )
    return messages.order_by("-created_at", "-pk")


def meetings_with_feedback() -> QuerySet[Meeting]:
    return Meeting.objects.filter(feedbackmessages__isnull=False).distinct().order_by("-starts_at")


def people_with_feedback() -> QuerySet[Person]:
    """Politicians (and other speakers) someone wrote to."""
    return Person.objects.filter(feedback_messages__isnull=False).distinct().order_by("name")


def handlers():
    """Colleagues a message can be assigned to: the active editors and administrators."""
    return (
        get_user_model()
        .objects.filter(is_active=True, deleted_at__isnull=True)
        .filter(
            Q(groups__name__in=[Role.EDITOR.value, Role.ADMINISTRATOR.value]) | Q(is_superuser=True)
        )
        .distinct()
        .order_by("display_name", "email")
    )


def next_new(feedback: FeedbackMessage) -> int | None:
    """The next new message after this one in the inbox's order (older), else the newest
    new one: to go on through the new messages without returning to the list."""
    new = FeedbackMessage.objects.filter(status=FeedbackMessage.Status.NEW).exclude(pk=feedback.pk)
    older = new.filter(
        Q(created_at__lt=feedback.created_at)
        | Q(created_at=feedback.created_at, pk__lt=feedback.pk)
    ).order_by("-created_at", "-pk")
    return (
        older.values_list("pk", flat=True).first()
        or new.order_by("-created_at", "-pk").values_list("pk", flat=True).first()
    )
