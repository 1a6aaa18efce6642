"""The admin's history in the reader's language (staff walk finding 30).

Django stores the labels of the changed fields as the form shows them, capitalised
("Municipality name"), and translates them when the history is read; but the catalogue
holds the fields' verbose names ("municipality name"), so the history stayed English.
Before an entry is saved, each label that is a field's capitalised verbose name is stored
as the verbose name itself, the msgid that `LogEntry.get_change_message` translates.
"""

import json

from django.apps import apps
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import override


def _msgids(model_classes) -> dict[str, str]:
    """{"Municipality name": "municipality name"} for the fields of these models."""
    found: dict[str, str] = {}
    with override(None):
        for model in model_classes:
            for field in model._meta.get_fields():
                verbose_name = getattr(field, "verbose_name", None)
                if verbose_name:
                    found.setdefault(str(capfirst(verbose_name)), str(verbose_name))
    return found


def _models_named(name: str) -> list[type[models.Model]]:
    # An inline's change is stored with its model's verbose name (untranslated).
    with override(None):
        return [model for model in apps.get_models() if str(model._meta.verbose_name) == name]


def store_msgids(sender, instance, **kwargs) -> None:
    """pre_save of LogEntry: the changed fields by their msgids."""
    message = instance.change_message
    if not message or not message.startswith("["):
        return
    try:
        parts = json.loads(message)
    except ValueError:
        return
    rewritten = False
    for part in parts:
        change = part.get("changed") if isinstance(part, dict) else None
        if not isinstance(change, dict) or not change.get("fields"):
            continue
        if "name" in change:
            msgids = _msgids(_models_named(change["name"]))
        else:
            model = instance.content_type.model_class() if instance.content_type_id else None
            msgids = _msgids([model]) if model is not None else {}
        fields = [msgids.get(label, label) for label in change["fields"]]
        if fields != change["fields"]:
            change["fields"] = fields
            rewritten = True
    if rewritten:
        instance.change_message = json.dumps(parts)
