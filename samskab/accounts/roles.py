"""Staff roles: Django groups with model permissions, and django-rules predicates.

Roles are kept in sync by `roles_sync()` after every migrate, so a new capability adds
its permissions here and every installation gets them. Administrators assign roles to
people in the admin (Users -> groups).
"""

import rules
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    EDITOR = "editor", _("Editor")
    OPERATOR = "webcast operator", _("Webcast operator")
    MODERATOR = "moderator", _("Moderator")
    VALUATOR = "valuator", _("Valuator")
    POLL_OFFICER = "poll officer", _("Poll officer")


# What each role may do, in words, for the staff home and the user form (review: roles were
# shown by their internal English names only, and nothing said what each may do).
ROLE_DESCRIPTIONS = {
    Role.ADMINISTRATOR: _(
        "Runs the site: its settings, people and their roles, the census, API tokens and "
        "restream keys. May also do all that editors, operators and moderators do."
    ),
    Role.EDITOR: _(
        "Prepares meetings, agendas, people, slides and captions; edits the timeline and the "
        "archive; runs polls, surveys, the feedback inbox and citizens' budgets."
    ),
    Role.OPERATOR: _(
        "Runs the live broadcast of a meeting from the operator console: goes live, marks "
        "agenda items and speakers, opens vox pops, shows slides and ends the meeting."
    ),
    Role.MODERATOR: _(
        "Reviews held and reported posts, takes posts down, bans and sets restricted words."
    ),
    Role.VALUATOR: _(
        "Assesses the projects of a citizens' budget that editors assign to them: whether "
        "each can be carried out, and its price; keeps internal notes on them."
    ),
    Role.POLL_OFFICER: _(
        "Enters paper ballots of a citizens' budget and prepares polls; sees residence "
        "verifications."
    ),
}


def role_label(name: str) -> str:
    """A role group's name in the reader's language ("webcast operator" -> "Webcastoperatør")."""
    try:
        return str(Role(name).label)
    except ValueError:  # a group that is no role, made by hand
        return name


def _crud(app_label: str, *models: str, delete: bool = True) -> set[str]:
    actions = ("view", "add", "change", "delete") if delete else ("view", "add", "change")
    return {f"{app_label}.{action}_{model}" for model in models for action in actions}


# Dialogue (polls, surveys, feedback inbox): editors prepare and read, handlers answer.
POLL_EDITING = _crud("polls", "poll", "question", "option")
SURVEY_EDITING = _crud("surveys", "survey", "section", "question", "choice") | {
    "surveys.view_response"
}
FEEDBACK_HANDLING = {"feedback.view_feedbackmessage", "feedback.change_feedbackmessage"} | _crud(
    "feedback", "feedbackrecipient"
)

# What moderators do: comments, the queue, restricted words, bans, the log.
MODERATION = {
    "comments.view_comment",
    "comments.change_comment",
    "moderation.view_moderationsettings",
    "moderation.view_moderationpolicy",
    "moderation.add_moderationpolicy",
    "moderation.change_moderationpolicy",
    "moderation.view_restrictedword",
    "moderation.add_restrictedword",
    "moderation.change_restrictedword",
    "moderation.delete_restrictedword",
    "moderation.view_ban",
    "moderation.add_ban",
    "moderation.change_ban",
    "moderation.view_trustedauthor",
    "moderation.add_trustedauthor",
    "moderation.delete_trustedauthor",
    "moderation.view_moderationlogentry",
}

# Citizens' budgets: editors run them; valuators see projects to assess them.
BUDGET_EDITING = _crud("budgets", "budget", "budgetphase", "group", "heading", "project") | {
    "budgets.view_headingresult",
    "budgets.view_ballotconflict",
    "budgets.view_tally",
    "budgets.view_paperballotchange",
}

# Model permissions per role, as "app_label.codename". Capabilities add theirs here.
ROLE_PERMISSIONS: dict[Role, set[str]] = {
    Role.ADMINISTRATOR: {
        "core.view_sitesettings",
        "core.change_sitesettings",
        "core.view_footerlink",
        "core.add_footerlink",
        "core.change_footerlink",
        "core.delete_footerlink",
        "accounts.view_user",
        "accounts.change_user",
        "accounts.view_censusimport",
        "accounts.add_censusimport",
        "accounts.view_residenceverification",
        "accounts.delete_residenceverification",
        "accounts.view_residenceletter",
        "auth.view_group",
        *POLL_EDITING,
        *FEEDBACK_HANDLING,
        *SURVEY_EDITING,
        *BUDGET_EDITING,
        *MODERATION,
        "moderation.change_moderationsettings",
        # Usage statistics: whether the site counts, how long raw events stay, who gets the
        # monthly report (samskab.stats).
        "stats.view_statssettings",
        "stats.change_statssettings",
    },
    Role.EDITOR: {*POLL_EDITING, *SURVEY_EDITING, *FEEDBACK_HANDLING, *BUDGET_EDITING},
    Role.OPERATOR: {"polls.view_poll", "polls.view_question", "polls.view_option"},
    Role.MODERATOR: {"accounts.view_user", *MODERATION},
    # Valuators assess projects on the valuation page, in the valuating phase; in the admin
    # they only read (review: a valuator declared a winner through the admin).
    Role.VALUATOR: {"budgets.view_project"},
    Role.POLL_OFFICER: {
        "accounts.view_residenceverification",
        *POLL_EDITING,
        # Citizens' budgets: paper ballots are entered on their own page (budgets.rules);
        # officers see the log of people who voted both on the web and on paper.
        "budgets.view_ballotconflict",
        # A poll's meeting and agenda item are picked by name (the admin's autocomplete asks
        # for read access to meetings and their agendas, which are public anyway).
        "webcasts.view_meeting",
        "webcasts.view_agendaitem",
    },
}

# Webcasts (W1-W4): editors keep bodies, meetings, agendas, people and captions; operators
# read the agenda and set marks; administrators do everything editors and operators do.
_WEBCASTS_EDIT = [
    "body",
    "meeting",
    "meetingseries",
    "agendaitem",
    "document",
    "person",
    "slidedeck",
    "captions",
]
ROLE_PERMISSIONS[Role.EDITOR] |= {
    f"webcasts.{action}_{model}"
    for model in _WEBCASTS_EDIT
    for action in ("add", "change", "view", "delete")
} | {"webcasts.change_timelinemark", "webcasts.view_timelinemark"}
ROLE_PERMISSIONS[Role.OPERATOR] |= {
    "webcasts.view_meeting",
    "webcasts.view_agendaitem",
    "webcasts.view_person",
    "webcasts.add_timelinemark",
    "webcasts.change_timelinemark",
}
ROLE_PERMISSIONS[Role.ADMINISTRATOR] |= (
    ROLE_PERMISSIONS[Role.EDITOR]
    | ROLE_PERMISSIONS[Role.OPERATOR]
    | {"webcasts.view_speakerturn", "webcasts.view_slide", "api.view_apitoken"}
    | {f"api.{action}_apitoken" for action in ("add", "change", "delete")}
)

# Debates: editors keep the areas and tags debates are filed under; featuring, closing and
# hiding a debate are rules on its page (debates.rules), not model permissions.
DEBATE_EDITING = _crud("debates", "area", "tag") | {"debates.view_debate"}
ROLE_PERMISSIONS[Role.EDITOR] |= DEBATE_EDITING
ROLE_PERMISSIONS[Role.MODERATOR] |= {"debates.view_debate"}
ROLE_PERMISSIONS[Role.ADMINISTRATOR] |= DEBATE_EDITING

# Binding votes: editors prepare votes, their questions and answers, booths, opening hours
# and shifts in the admin; opening, closing, publishing and booth work are rules on the
# votes' pages (votes.rules). Participations and ballots have no admin at all.
VOTE_EDITING = _crud("votes", "bindingvote", "question", "answer", "booth", "openinghours", "shift")
ROLE_PERMISSIONS[Role.EDITOR] |= VOTE_EDITING
ROLE_PERMISSIONS[Role.ADMINISTRATOR] |= VOTE_EDITING

# Live streaming: restream destinations hold the municipality's YouTube and Facebook keys,
# so only administrators keep them; operators make stream keys in the console.
ROLE_PERMISSIONS[Role.ADMINISTRATOR] |= _crud("streaming", "meetingstream", "destination")

# Social media (samskab.social): administrators connect the municipality's accounts; editors
# write the post texts. A meeting's posts are edited on its own page (social.rules).
ROLE_PERMISSIONS[Role.EDITOR] |= _crud("social", "posttemplate")
ROLE_PERMISSIONS[Role.ADMINISTRATOR] |= _crud("social", "account", "posttemplate")


# Set on request.user by StaffMFAMiddleware when a staff account's session has not passed the
# second factor (on the few pages it may still open, such as setting one up): its roles then
# count for nothing, whatever a page asks.
MFA_PENDING = "_samskab_mfa_pending"


def has_role(user, role: Role) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, MFA_PENDING, False):
        return False
    if user.is_superuser:
        return True
    return role.value in role_names(user)


def holds_staff_power(user) -> bool:
    """Whether `user` must pass the second factor: any role, superuser, or the staff flag.

    Powers come from role groups (has_role), not from is_staff, so the flag alone cannot
    decide; it still counts because it opens the admin.
    """
    if not user.is_authenticated:
        return False
    return bool(user.is_superuser or user.is_staff or role_names(user))


def role_names(user) -> set[str]:
    # Cached on the user object for the request: templates ask several times.
    cached = getattr(user, "_samskab_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._samskab_roles = cached
    return cached


def _role_predicate(role: Role) -> rules.Predicate:
    @rules.predicate(name=f"is_{role.name.lower()}")
    def check(user) -> bool:
        return has_role(user, role)

    return check


is_administrator = _role_predicate(Role.ADMINISTRATOR)
is_editor = _role_predicate(Role.EDITOR)
is_operator = _role_predicate(Role.OPERATOR)
is_moderator = _role_predicate(Role.MODERATOR)
is_valuator = _role_predicate(Role.VALUATOR)
is_poll_officer = _role_predicate(Role.POLL_OFFICER)


@rules.predicate
def is_staff_member(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


@rules.predicate
def is_email_verified(user) -> bool:
    return bool(user.is_authenticated and user.is_email_verified)


@rules.predicate
def is_verified_resident(user) -> bool:
    return bool(user.is_authenticated and user.is_resident_verified)


def roles_sync() -> None:
    """Create the role groups and give each exactly its permissions. Idempotent.

    A handful of queries whatever the number of permissions (every permission named is read
    in one query, each group's set is compared and changed in a few): it runs after every
    migration and flush, and tests call it for every staff member they make."""
    from django.contrib.auth.models import Group, Permission

    named = set().union(*ROLE_PERMISSIONS.values())
    found = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.filter(
            content_type__app_label__in={name.split(".")[0] for name in named}
        ).values_list("pk", "content_type__app_label", "codename")
    }
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        # A permission of an app not installed yet is left out.
        group.permissions.set([found[name] for name in sorted(wanted) if name in found])
