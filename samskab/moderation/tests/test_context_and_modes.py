"""The queue says where each post was written, with a link; focus goes on to the next post
after an action; a meeting's or a budget's moderation mode is chosen on its own staff page,
in words."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory, with_totp
from samskab.budgets.tests.factories import ProjectFactory
from samskab.comments.models import Comment
from samskab.comments.tests.factories import CommentFactory
from samskab.core import targets
from samskab.core.tests.kernelapp.models import Idea, IdeaBox
from samskab.moderation import selectors, services
from samskab.moderation.models import Mode, ModerationLogEntry, ModerationPolicy
from samskab.moderation.selectors import place_rules
from samskab.webcasts.models import TimelineMark
from samskab.webcasts.tests.factories import AgendaItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def signed_in(role: Role) -> Client:
    staff = StaffFactory(role=role)
    with_totp(staff)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(staff)
    return client


def test_a_live_blog_post_shows_its_meeting_and_the_agenda_item_under_discussion():
    meeting = MeetingFactory(title="Byrådsmøde")
    first = AgendaItemFactory(meeting=meeting, number="1", title="Budget")
    second = AgendaItemFactory(meeting=meeting, number="2", title="Cykelstier")
    now = timezone.now()
    for item, at in ((first, now - timedelta(minutes=30)), (second, now - timedelta(minutes=5))):
        TimelineMark.objects.create(
            meeting=meeting, kind=TimelineMark.Kind.ITEM, agenda_item=item, at=at, offset_ms=0
        )
    early = CommentFactory(target=meeting, status=Comment.Status.PENDING)
    Comment.objects.filter(pk=early.pk).update(created_at=now - timedelta(minutes=10))
    late = CommentFactory(target=meeting, status=Comment.Status.PENDING, parent=None)
    reply = CommentFactory(target=meeting, parent=late, depth=2, status=Comment.Status.PENDING)
    page = signed_in(Role.MODERATOR).get(reverse("moderation:queue")).content.decode()
    assert "Byrådsmøde · agenda item 1. Budget" in page
    assert "Byrådsmøde · agenda item 2. Cykelstier" in page
    thread = reverse("comments:thread", args=["webcasts.meeting", meeting.pk])
    assert f'href="{thread}#comment-{early.pk}"' in page
    assert f"a reply to {late.display_name}" in page
    assert f"#comment-{reply.pk}" in page


def test_a_project_comment_shows_its_budget_heading_and_project():
    project = ProjectFactory(title="Bænke ved søen")
    CommentFactory(target=project, status=Comment.Status.PENDING)
    [item] = selectors.queue()
    budget = project.heading.group.budget
    assert item.where.label == f"{budget.title} · {project.heading.name} · Bænke ved søen"
    assert item.where.url.startswith(
        reverse("comments:thread", args=["budgets.project", project.pk])
    )


def test_a_reported_idea_is_in_the_queue_with_its_box_by_registration_alone(client):
    idea = Idea.objects.create(box=IdeaBox.objects.create(title="Byens rum"), title="Flere bænke")
    client.force_login(UserFactory())
    client.post(reverse("moderation:report", args=["kernelapp.idea", idea.pk]), {"reason": "spam"})
    [item] = selectors.queue()
    assert item.target == idea and item.account_reports == 1
    assert item.where.label == "Byens rum · Flere bænke"
    page = signed_in(Role.MODERATOR).get(reverse("moderation:queue")).content.decode()
    assert "Byens rum · Flere bænke" in page and idea.get_absolute_url() in page


def test_after_an_action_the_queue_opens_at_the_post_the_page_named():
    first, second = CommentFactory.create_batch(2, status=Comment.Status.PENDING)
    moderator = signed_in(Role.MODERATOR)
    response = moderator.post(
        reverse("moderation:act"),
        {"one": f"approve:{targets.key_of(first)}", "focus_next": targets.key_of(second)},
    )
    assert response["Location"] == reverse("moderation:queue") + (
        f"?focus={targets.key_of(second)}"
    )
    page = moderator.get(response["Location"]).content.decode()
    assert f'data-focus="queue-comments-comment-{second.pk}"' in page
    # The reason field comes right before its Reject button (Tab from it never approves).
    reason = page.index(f'id="reason-comments-comment-{second.pk}"')
    assert page.index(f'value="reject:comments.comment:{second.pk}"', reason) < page.index(
        f'value="spam:comments.comment:{second.pk}"', reason
    )
    assert page.find(f'value="approve:comments.comment:{second.pk}"', reason) == -1


def test_an_operator_chooses_the_live_blog_s_mode_in_the_console_in_words():
    meeting = MeetingFactory()
    operator = signed_in(Role.OPERATOR)
    page = operator.get(reverse("webcasts:console", args=[meeting.pk])).content.decode()
    assert "Moderation of comments" in page
    assert "Pre-moderation: nothing is shown until a moderator approves it" in page
    url = reverse("moderation:mode", args=["webcasts.meeting", meeting.pk])
    assert url in page
    response = operator.post(url, {"mode": Mode.PRE, "next": "/moeder/"})
    assert response.status_code == 302
    assert place_rules(meeting).mode == Mode.PRE
    entry = ModerationLogEntry.objects.get(action=ModerationLogEntry.Action.MODE_CHANGED)
    assert entry.target == meeting and entry.moderator is not None
    operator.post(url, {"mode": ""})  # back to the site's default
    assert not ModerationPolicy.objects.exists()


def test_a_budget_s_mode_is_chosen_on_its_staff_page_and_covers_its_projects():
    project = ProjectFactory()
    budget = project.heading.group.budget
    editor = signed_in(Role.EDITOR)
    page = editor.get(reverse("budgets:staff_projects", args=[budget.pk])).content.decode()
    assert "Moderation of comments" in page
    editor.post(reverse("moderation:mode", args=["budgets.budget", budget.pk]), {"mode": "closed"})
    assert place_rules(project).mode == Mode.CLOSED


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.EDITOR, False), (Role.VALUATOR, False), (Role.MODERATOR, True), (None, False)],
)
def test_who_may_choose_a_meeting_s_mode(role, allowed):
    meeting = MeetingFactory()
    client = signed_in(role) if role else Client()
    if role is None:
        client.force_login(UserFactory())
    url = reverse("moderation:mode", args=["webcasts.meeting", meeting.pk])
    response = client.post(url, {"mode": Mode.PRE})
    assert (response.status_code == 302) is allowed
    assert ModerationPolicy.objects.exists() is allowed


def test_a_hidden_post_can_be_shown_again_with_a_reason():
    comment = CommentFactory()
    moderator = StaffFactory(role=Role.MODERATOR)
    services.target_hide(target=comment, moderator=moderator, reason="Fejl")
    with pytest.raises(services.ModerationError):
        services.target_restore(target=comment, moderator=moderator, reason="")
    services.target_restore(target=comment, moderator=moderator, reason="Fejlvurdering")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert ModerationLogEntry.objects.filter(action=ModerationLogEntry.Action.RESTORED).exists()


def test_the_bulk_actions_show_only_while_the_queue_holds_posts():
    """An empty queue showed a box of buttons for posts that were not there (walk)."""
    moderator = signed_in(Role.MODERATOR)
    empty = moderator.get(reverse("moderation:queue")).content.decode()
    assert '<fieldset class="queue-bulk" hidden>' in empty
    CommentFactory(target=MeetingFactory(), status=Comment.Status.PENDING)
    full = moderator.get(reverse("moderation:queue")).content.decode()
    assert '<fieldset class="queue-bulk">' in full
