"""Who may do what in a citizens' budget, and in which phase. Services check the same."""

import rules

from samskab.accounts.roles import (
    Role,
    has_role,
    is_administrator,
    is_editor,
    is_moderator,
    is_poll_officer,
    is_valuator,
)
from samskab.budgets.models import Phase


def _budget_of(obj):
    # Permissions are asked about a budget, a heading or a project.
    if hasattr(obj, "phase"):
        return obj
    if hasattr(obj, "group"):
        return obj.group.budget
    return obj.heading.group.budget


def _in_phase(phase: Phase) -> rules.Predicate:
    @rules.predicate(name=f"budget_in_{phase.value}")
    def check(user, obj) -> bool:
        return obj is not None and _budget_of(obj).phase == phase

    return check


@rules.predicate
def is_signed_in(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


@rules.predicate
def entered_the_ballot(user, ballot) -> bool:
    return ballot is not None and ballot.entered_by_id == user.pk


@rules.predicate
def is_verified_resident(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_resident_verified)


@rules.predicate
def is_project_author(user, project) -> bool:
    return bool(project is not None and user.is_authenticated and project.author_id == user.pk)


@rules.predicate
def collecting_projects(user, obj) -> bool:
    # While projects are collected and read, their authors may still add pictures.
    return obj is not None and _budget_of(obj).phase in (
        Phase.ACCEPTING,
        Phase.REVIEWING,
        Phase.SELECTING,
    )


@rules.predicate
def is_assigned_valuator(user, project) -> bool:
    # Asked about a project: a valuator whom editors asked to assess it. The assignments
    # are read through the relation, so a list that prefetched them asks no more queries.
    if project is None or not hasattr(project, "valuator_assignments"):
        return False
    if not has_role(user, Role.VALUATOR):
        return False
    return any(a.valuator_id == user.pk for a in project.valuator_assignments.all())


# Valuators are assigned (and removed) until projects are valuated; after that an assignment
# would ask for an assessment nobody can save.
ASSIGN_PHASES = (
    Phase.INFORMING,
    Phase.ACCEPTING,
    Phase.REVIEWING,
    Phase.SELECTING,
    Phase.VALUATING,
)


@rules.predicate
def assigning(user, obj) -> bool:
    return obj is not None and _budget_of(obj).phase in ASSIGN_PHASES


accepting = _in_phase(Phase.ACCEPTING)
selecting = _in_phase(Phase.SELECTING)
valuating = _in_phase(Phase.VALUATING)
balloting = _in_phase(Phase.BALLOTING)

rules.add_perm("budgets.submit_project", is_signed_in & accepting)


@rules.predicate
def is_supportable(user, project) -> bool:
    # A project found unfeasible is not supported (by any route: the supports app asks this).
    return project is not None and project.status != project.Status.UNFEASIBLE


# Verified residents only, in the selecting phase: the supports app asks this rule.
rules.add_perm("budgets.support_project", is_verified_resident & selecting & is_supportable)
# Valuation: a valuator assesses only the projects assigned to them (administrators any),
# in the valuating phase. The project's valuation page, with its internal notes, is for its
# valuators, editors and administrators in any phase; editors and administrators assign.
rules.add_perm("budgets.valuate_project", (is_assigned_valuator | is_administrator) & valuating)
follows_the_valuation = is_assigned_valuator | is_editor | is_administrator
rules.add_perm("budgets.view_valuation", follows_the_valuation)
rules.add_perm("budgets.read_valuation_notes", follows_the_valuation)
rules.add_perm("budgets.write_valuation_note", follows_the_valuation)
# Who assigns valuators (in a phase that allows it: `assigning`); valuation.py words refusals.
assigns_valuators = is_editor | is_administrator
rules.add_perm("budgets.assign_valuators", assigns_valuators & assigning)
# Has a list of the projects to assess (the staff home and the header link to it).
rules.add_perm("budgets.assess_projects", is_valuator)
rules.add_perm("budgets.vote_in_heading", is_verified_resident & balloting)
# Counting and publishing: editors and administrators, never valuators (only the count
# decides winners, and the count is checked before it is published).
rules.add_perm("budgets.finish_budget", is_administrator | is_editor)

# The process side: staff pages per budget, the map, pictures and documents.
rules.add_perm("budgets.manage_projects", is_valuator | is_editor | is_administrator)
rules.add_perm("budgets.move_budget", is_editor | is_administrator)
rules.add_perm("budgets.upload_map", is_editor | is_administrator)
# Pictures and documents (the attachments app) and the place (the places app) of a project.
rules.add_perm(
    "budgets.attach_project",
    is_editor | is_administrator | (is_project_author & collecting_projects),
)
rules.add_perm("budgets.detach_project", is_editor | is_administrator | is_moderator)
rules.add_perm(
    "budgets.locate_project", is_editor | is_administrator | (is_project_author & accepting)
)
rules.add_perm("budgets.follow_project", is_signed_in)
rules.add_perm("budgets.enter_paper_ballots", is_poll_officer | is_administrator)
# A paper ballot is corrected or voided by the officer who entered it, or an administrator.
rules.add_perm(
    "budgets.change_paper_ballot", (is_poll_officer & entered_the_ballot) | is_administrator
)
rules.add_perm("budgets.view_participation", is_poll_officer | is_administrator | is_editor)
# The moderation mode of a budget's comments, chosen on its staff page (moderators may too).
rules.add_perm("budgets.moderate_budget", is_editor | is_administrator)
