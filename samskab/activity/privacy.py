"""The steps a person recorded (staff decisions) in their data export. Deleting the account
keeps the history: the account stays as an anonymised tombstone, shown as a deleted user."""

from samskab.activity.models import Event


def export(user) -> list[dict]:
    return [
        {
            "target": f"{e.content_type.app_label}.{e.content_type.model}:{e.object_id}",
            "kind": e.kind,
            "note": e.note,
            "created_at": e.created_at.isoformat(),
        }
        for e in Event.objects.filter(actor=user).select_related("content_type")
    ]
