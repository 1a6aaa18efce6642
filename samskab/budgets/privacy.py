"""A person's part in citizens' budgets in their data export, and what deleting their account
does to it."""

from samskab.budgets.models import Ballot, Project
from samskab.places.selectors import places_of
from samskab.supports.models import Support


def _project(project: Project) -> dict:
    return {"id": project.pk, "title": project.title, "url": project.get_absolute_url()}


def export(user) -> dict:
    # Pictures and documents are in the attachments app's part of the export.
    projects = list(Project.objects.filter(author=user).select_related("heading"))
    places = places_of(projects)
    return {
        "projects": [
            {
                **_project(p),
                "heading": p.heading.name,
                "status": p.status,
                "description": p.description,
                "place": places[p.pk].address if p.pk in places else "",
                "latitude": places[p.pk].latitude if p.pk in places else None,
                "longitude": places[p.pk].longitude if p.pk in places else None,
                "created_at": p.created_at.isoformat(),
            }
            for p in projects
        ],
        "supports": [
            {"project": _project(s.target), "created_at": s.created_at.isoformat()}
            for s in Support.objects.filter(user=user, project__isnull=False).prefetch_related(
                "target"
            )
        ],
        "ballots": [
            {
                "heading": b.heading.name,
                "source": b.source,
                "projects": [_project(line.project) for line in b.lines.all()],
            }
            for b in Ballot.objects.filter(user=user)
            .select_related("heading")
            .prefetch_related("lines__project")
        ],
    }


def anonymise(user) -> None:
    # Projects, pictures and documents stay (the author is shown as "Deleted user");
    # supports and ballots stay counted. Follows are the follows app's (follows/privacy.py).
    return None


def describe_data() -> None:
    from django.utils.translation import gettext_lazy as _

    from samskab.core.privacy import LegalBasis, PersonalData, describe

    kept = _("As long as the citizens' budget is published.")
    describe(
        PersonalData(
            key="budget_proposals",
            what=_(
                "Project proposals you make in a citizens' budget: title, description, "
                "place on the map, and the pictures and documents you add"
            ),
            purpose=_(
                "So that residents can read, support and vote on your proposal, and the "
                "municipality can assess it."
            ),
            basis=LegalBasis.PUBLIC_TASK,
            retention=kept,
            on_deletion=_("They stay, shown as made by a deleted user."),
            export="apps.budgets.projects",
            fields=("budgets.project.author",),
            order=60,
        ),
        PersonalData(
            key="budget_ballots",
            what=_(
                "Your ballot in a citizens' budget vote: the projects you chose, and whether "
                "you voted on the web or on paper"
            ),
            purpose=_("To count the vote, with one ballot per resident."),
            basis=LegalBasis.PUBLIC_TASK,
            retention=kept,
            on_deletion=_("It stays counted, linked to the emptied account row."),
            export="apps.budgets.ballots",
            fields=("budgets.ballot.user",),
            order=62,
        ),
    )
