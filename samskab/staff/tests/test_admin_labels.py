"""Every label staff read in the admin is Danish in Danish: model names, field names and
choices of every model registered in the admin (review: "Body", "Created at", "Viewer key",
roles in English). A label whose Danish equals its English fails, unless the word is the
same in both languages (ALLOWED)."""

import pytest
from django.contrib import admin
from django.utils import translation

from samskab.accounts.roles import ROLE_PERMISSIONS

# Words that are the same in Danish and English.
ALLOWED = {
    "ID", "id", "URL", "API", "HLS", "MP4", "PDF", "SRT", "RTMP", "RTMPS", "GeoJSON", "YouTube",
    "Facebook", "Web", "web", "e-mail", "Pabulib", "Markdown", "CSV", "OParl", "WebVTT",
    "status", "Status", "logo", "Logo", "data", "design", "slides", "person", "video", "spam",
    "MitID", "Facebook Live", "position", "slide", "moderator",
}  # fmt: skip


def _staff_sees(model) -> bool:
    """Samskab's own models, and another package's that a role may open in the admin."""
    if model.__module__.startswith("samskab."):
        return True
    label = model._meta.app_label
    return any(
        name.split(".")[0] == label and name.split("_", 1)[1].endswith(model._meta.model_name)
        for names in ROLE_PERMISSIONS.values()
        for name in names
    )


def _labels():
    for model in admin.site._registry:
        if not _staff_sees(model):
            continue
        meta = model._meta
        yield model, "verbose_name", meta.verbose_name
        yield model, "verbose_name_plural", meta.verbose_name_plural
        for field in meta.get_fields():
            if field.auto_created and not field.concrete:
                continue  # the other side of a relation: named by the model that holds it
            if not field.concrete and not field.many_to_many:
                continue  # a generic foreign key: no form field of its own
            yield model, field.name, field.verbose_name
            for value, label in getattr(field, "flatchoices", None) or []:
                yield model, f"{field.name}={value}", label


def _untranslated() -> list[str]:
    found = []
    for model, name, label in _labels():
        with translation.override("en"):
            english = str(label)
        with translation.override("da"):
            danish = str(label)
        if danish == english and english not in ALLOWED:
            found.append(f"{model._meta.label}.{name}: {english!r}")
    return found


def test_every_admin_label_staff_see_is_danish_in_danish():
    untranslated = _untranslated()
    assert not untranslated, "\n".join(untranslated)


def test_no_two_models_staff_see_share_a_name_in_danish():
    # Staff walk finding 37: the admin index listed "Grupper" twice and "Spørgsmål" three
    # times, for roles and budget groups, vox pop, binding vote and survey questions.
    names: dict[str, list[str]] = {}
    with translation.override("da"):
        for model in admin.site._registry:
            if _staff_sees(model) or model._meta.label == "auth.Group":
                plural = str(model._meta.verbose_name_plural).lower()
                names.setdefault(plural, []).append(model._meta.label)
    assert not {name: models for name, models in names.items() if len(models) > 1}


def test_the_walk_finds_an_untranslated_label(monkeypatch):
    # The walk itself: a model name without a Danish translation is caught.
    from samskab.budgets.models import Heading

    monkeypatch.setattr(Heading._meta, "verbose_name", "heading kind not in the catalogue")
    assert any("heading kind not in the catalogue" in line for line in _untranslated())


@pytest.mark.django_db
def test_role_groups_are_shown_by_their_danish_names(client):
    from samskab.accounts.roles import Role
    from samskab.accounts.tests.factories import StaffFactory, staff_sign_in

    client.cookies["django_language"] = "da"
    staff_sign_in(client, StaffFactory(role=Role.ADMINISTRATOR))
    page = client.get("/admin/auth/group/").content.decode()
    assert "Afstemningstilforordnet" in page
    assert ">poll officer<" not in page
