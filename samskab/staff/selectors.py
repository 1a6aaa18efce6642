"""What the staff home shows: it reads from the capabilities, and writes nothing."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from samskab.budgets import valuation
from samskab.budgets.models import Budget
from samskab.core import mailbox
from samskab.feedback.models import FeedbackMessage
from samskab.moderation import selectors as moderation
from samskab.social import selectors as social
from samskab.webcasts.selectors import meetings_for_staff

# Failed tasks are shown for this long; the admin keeps them all.
FAILED_SHOWN_DAYS = 7

# The background tasks by what they do, in the staff's words.
TASK_NAMES: dict[str, Promise] = {
    "samskab.recordings.tasks.package_upload": _("Preparing an uploaded recording"),
    "samskab.recordings.tasks.render_clip": _("Making a clip"),
    "samskab.recordings.tasks.apply_redaction": _("Removing a part of a recording"),
    "samskab.recordings.tasks.run_retention": _("Deleting recordings past their keeping time"),
    "samskab.webcasts.slides.render_slide_deck": _("Preparing slides"),
    "samskab.webcasts.tasks.make_timeline_strip": _("Making the timeline editor's pictures"),
    "samskab.webcasts.tasks.fetch_agendas": _("Fetching agendas from the agenda system"),
    "samskab.budgets.tasks.tally_run_task": _("Counting a citizens' budget"),
    "samskab.notifications.tasks.deliver": _("E-mailing notifications to authors and followers"),
    "samskab.stats.tasks.rollup_task": _("Adding up the usage statistics"),
    "samskab.stats.tasks.monthly_report_task": _("Sending the monthly statistics report"),
    "samskab.hearings.tasks.export_task": _("Building a hearing's case file (PDF)"),
    "samskab.hearings.tasks.announce_task": _(
        "Telling followers of the hearings' phases that opened"
    ),
    "samskab.presentations.tasks.package_video": _("Preparing a video for presentations"),
    "samskab.presentations.tasks.render_deck": _("Splitting a PDF into slides for presentations"),
    "samskab.social.tasks.tick_task": _(
        "Posting to social media and going live on YouTube and Facebook"
    ),
}


@dataclass(frozen=True)
class Link:
    label: str | Promise
    url: str


@dataclass
class Row:
    """A meeting or a budget, its state, and the staff pages for it that the person may open."""

    obj: object
    links: list[Link] = field(default_factory=list)


def _links(user, obj, candidates) -> list[Link]:
    return [
        Link(label, reverse(url_name, args=[obj.pk]))
        for perm, label, url_name in candidates
        if user.has_perm(perm, obj)
    ]


MEETING_TOOLS = [
    ("webcasts.operate_meeting", _("Operator console"), "webcasts:console"),
    ("webcasts.edit_timeline", _("Timeline editor"), "webcasts:timeline"),
    ("recordings.manage_recording", _("Recording and archive"), "recordings:recording"),
    ("recordings.make_clip", _("Make a clip"), "recordings:clip_new"),
    ("social.manage_posts", _("Social media posts"), "social:meeting"),
    ("webcasts.import_agenda", _("Import the agenda"), "admin:webcasts_meeting_import_agenda"),
    ("webcasts.change_meeting", _("Edit the meeting"), "admin:webcasts_meeting_change"),
    ("stats.view_stats", _("Statistics"), "stats:meeting"),
]

BUDGET_TOOLS = [
    ("budgets.manage_projects", _("Projects, assessment and ballot"), "budgets:staff_projects"),
    ("budgets.move_budget", _("Phases and dates"), "budgets:staff_phases"),
    ("budgets.upload_map", _("The map"), "budgets:staff_map"),
    ("budgets.enter_paper_ballots", _("Paper ballots"), "budgets:paper_overview"),
    ("budgets.view_participation", _("Participation"), "budgets:participation"),
    ("budgets.finish_budget", _("Count the vote"), "budgets:staff_count"),
    ("budgets.change_budget", _("Edit the budget"), "admin:budgets_budget_change"),
    ("stats.view_stats", _("Statistics"), "stats:budget"),
]

# Pages for no one meeting or budget: (permission, label, URL name).
GENERAL_TOOLS = [
    ("moderation.view_queue", _("Moderation queue"), "moderation:queue"),
    ("moderation.view_queue", _("Published posts"), "moderation:published"),
    ("moderation.ban", _("Bans"), "moderation:bans"),
    ("moderation.view_queue", _("Moderation log"), "moderation:log"),
    (
        "moderation.view_restrictedword",
        _("Restricted words"),
        "admin:moderation_restrictedword_changelist",
    ),
    ("stats.view_stats", _("Statistics: watching and taking part"), "stats:site"),
    (
        "stats.change_statssettings",
        _("Statistics settings"),
        "admin:stats_statssettings_changelist",
    ),
    ("webcasts.add_meeting", _("New meeting"), "admin:webcasts_meeting_add"),
    ("webcasts.view_meeting", _("All meetings"), "admin:webcasts_meeting_changelist"),
    (
        "webcasts.view_meetingseries",
        _("Meeting series (recurring committees)"),
        "admin:webcasts_meetingseries_changelist",
    ),
    ("webcasts.view_person", _("People and speakers"), "admin:webcasts_person_changelist"),
    ("webcasts.view_body", _("Councils and committees"), "admin:webcasts_body_changelist"),
    ("webcasts.view_slidedeck", _("Slide decks"), "admin:webcasts_slidedeck_changelist"),
    ("polls.view_poll", _("Polls and vox pops"), "admin:polls_poll_changelist"),
    ("surveys.view_survey", _("Surveys"), "admin:surveys_survey_changelist"),
    ("presentations.build_presentation", _("Presentations"), "presentations:staff_list"),
    ("feedback.view_inbox", _("Feedback inbox"), "feedback:inbox"),
    ("budgets.assess_projects", _("My projects to assess"), "budgets:my_valuations"),
    ("budgets.add_budget", _("New citizens' budget"), "admin:budgets_budget_add"),
    ("hearings.manage_process", _("Hearings and their case work"), "hearings:list"),
    ("hearings.manage_process", _("New hearing"), "hearings:create"),
    ("votes.view_bindingvote", _("Binding votes"), "admin:votes_bindingvote_changelist"),
    ("debates.view_debate", _("Debates"), "admin:debates_debate_changelist"),
    (
        "budgets.view_ballotconflict",
        _("Web and paper ballots of one person"),
        "admin:budgets_ballotconflict_changelist",
    ),
    ("accounts.view_people", _("People and roles"), "accounts:people"),
    ("accounts.invite_staff", _("Invite a colleague"), "accounts:invite"),
    ("accounts.add_censusimport", _("Import the census"), "admin:accounts_censusimport_add"),
    (
        "accounts.view_residenceverification",
        _("Residence verifications"),
        "admin:accounts_residenceverification_changelist",
    ),
    ("core.change_sitesettings", _("Site settings"), "admin:core_sitesettings_changelist"),
    (
        "streaming.view_destination",
        _("Restream destinations"),
        "admin:streaming_destination_changelist",
    ),
    ("social.manage_accounts", _("Social media accounts"), "social:accounts"),
    (
        "social.view_posttemplate",
        _("Texts of the social media posts"),
        "admin:social_posttemplate_changelist",
    ),
    ("api.view_apitoken", _("API tokens"), "admin:api_apitoken_changelist"),
]


def general_tools(user) -> list[Link]:
    links = [
        Link(label, reverse(name)) for perm, label, name in GENERAL_TOOLS if user.has_perm(perm)
    ]
    if user.is_staff:
        links.append(Link(_("Administration (all records)"), reverse("admin:index")))
    if mailbox.mailbox_in_use():
        links.append(
            Link(_("Mails the site sent (no mail server is set up)"), reverse("staff:mailbox"))
        )
    return links


def meeting_rows(user) -> list[Row]:
    return [Row(m, _links(user, m, MEETING_TOOLS)) for m in meetings_for_staff()]


def budget_rows(user) -> list[Row]:
    budgets = Budget.objects.order_by("-pk")
    return [Row(b, _links(user, b, BUDGET_TOOLS)) for b in budgets]


def projects_to_assess(user) -> list:
    """The valuator's assigned projects not assessed yet, nearest deadline first."""
    return [item for item in valuation.projects_to_assess(user) if not item.done]


def queue_size() -> int:
    """What waits in the moderation queue (as its page lists it, up to its 1,000 rows)."""
    return len(moderation.queue(limit=1000))


def broken_social_accounts() -> list:
    """Social accounts whose connection no longer works (tokens refused or expired)."""
    return social.broken_accounts()


def feedback_waiting() -> int:
    return FeedbackMessage.objects.filter(status=FeedbackMessage.Status.NEW).count()


def feedback_assigned_to(user) -> int:
    """Messages given to this person that are not answered or handled yet."""
    return FeedbackMessage.objects.filter(
        assigned_to=user, status=FeedbackMessage.Status.NEW
    ).count()


@dataclass(frozen=True)
class TaskLine:
    name: str | Promise
    status: str
    at: object


def tasks_open_or_failed() -> tuple[list[TaskLine], list[TaskLine]]:
    """Tasks waiting or running, and those that failed in the last week, newest first."""
    since = timezone.now() - timedelta(days=FAILED_SHOWN_DAYS)
    waiting = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).order_by("enqueued_at")[:50]
    failed = DBTaskResult.objects.filter(
        status=TaskResultStatus.FAILED, finished_at__gte=since
    ).order_by("-finished_at")[:20]

    def line(result, at) -> TaskLine:
        return TaskLine(TASK_NAMES.get(result.task_path, result.task_path), result.status, at)

    return (
        [line(r, r.started_at or r.enqueued_at) for r in waiting],
        [line(r, r.finished_at) for r in failed],
    )
