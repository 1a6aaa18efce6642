"""A person's part in citizens' budgets in their data export, and what deleting their account
does to it."""

from samskab.budgets.models import Ballot, Project, Support
from samskab.places.selectors import places_of


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
            {"project": _project(s.project), "created_at": s.created_at.isoformat()}
            for s in Support.objects.filter(user=user).select_related("project")
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
