"""A person's part in citizens' budgets in their data export, and what deleting their account
does to it."""

from samskab.budgets.models import (
    Ballot,
    Project,
    ProjectDocument,
    ProjectImage,
    Support,
)


def _project(project: Project) -> dict:
    return {"id": project.pk, "title": project.title, "url": project.get_absolute_url()}


def export(user) -> dict:
    return {
        "projects": [
            {
                **_project(p),
                "heading": p.heading.name,
                "status": p.status,
                "description": p.description,
                "place": p.location_description,
                "latitude": p.latitude,
                "longitude": p.longitude,
                "created_at": p.created_at.isoformat(),
            }
            for p in Project.objects.filter(author=user).select_related("heading")
        ],
        "pictures": [
            {
                "project": _project(i.project),
                "file": i.image.url,
                "description": i.alt,
                "created_at": i.created_at.isoformat(),
            }
            for i in ProjectImage.objects.filter(uploaded_by=user).select_related("project")
        ],
        "documents": [
            {
                "project": _project(d.project),
                "file": d.file.url,
                "title": d.title,
                "bytes": d.size,
                "created_at": d.created_at.isoformat(),
            }
            for d in ProjectDocument.objects.filter(uploaded_by=user).select_related("project")
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
