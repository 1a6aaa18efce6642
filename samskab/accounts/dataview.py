"""A person's data export as a page they can read (/konto/mine-data/oversigt/): the same dict
as the JSON download (selectors.user_data_export), laid out as sections, tables and lists with
labels in the reader's language; addresses are links. Nothing is left out or added."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.utils import formats
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}.*)?$")

# The export's keys in words; a key not named here is shown with its underscores as spaces.
LABELS = {
    "account": _("Your account"),
    "email_addresses": _("E-mail addresses"),
    "social_logins": _("Logins with MitID or other providers"),
    "second_factors": _("Second factors"),
    "residence_verification": _("Residence verification"),
    "sessions": _("Where you are or were logged in"),
    "logins": _("Logins"),
    "apps": _("What you did on the site"),
    "exported_at": _("Exported"),
    "id": _("Number"),
    "email": _("E-mail"),
    "display_name": _("Name shown"),
    "verification_level": _("Verification"),
    "date_joined": _("Account created"),
    "last_login": _("Last login"),
    "staff": _("Staff"),
    "roles": _("Roles"),
    "verified": _("Verified"),
    "primary": _("Primary"),
    "provider": _("Provider"),
    "subject": _("Identifier at the provider"),
    "connected": _("Connected"),
    "data_from_provider": _("Data from the provider"),
    "type": _("Type"),
    "created": _("Created"),
    "last_used": _("Last used"),
    "method": _("Method"),
    "verified_at": _("Verified"),
    "postal_code": _("Postal code"),
    "created_at": _("Created"),
    "last_seen_at": _("Last seen"),
    "ip": _("IP address"),
    "ip_address": _("IP address"),
    "user_agent": _("Browser"),
    "attempt_time": _("When"),
    "logout_time": _("Logged out"),
    "title": _("Title"),
    "url": _("Address"),
    "page": _("Page"),
    "place": _("Internal reference"),
    "target": _("About"),
    "status": _("Status"),
    "state": _("State"),
    "value": _("Value"),
    "reason": _("Reason"),
    "note": _("Note"),
    "language": _("Language"),
    "kind": _("Kind"),
    "heading": _("Area"),
    "file": _("File"),
    "description": _("Description"),
    "body": _("Text"),
    "text": _("Text"),
    "message": _("Message"),
    "edited_at": _("Edited"),
    "picture": _("Picture"),
    "picture_description": _("Picture description"),
    "projects": _("Projects"),
    "votes": _("Votes"),
    "supports": _("Supports"),
    "ballots": _("Ballots"),
    "tags": _("Tags"),
    "source": _("Source"),
    "sent_at": _("Sent"),
    "read_at": _("Read"),
    "mailed_at": _("E-mailed"),
    "question": _("Question"),
    "option": _("Answer"),
    "poll": _("Vox pop"),
    "name": _("Name"),
    "latitude": _("Latitude"),
    "longitude": _("Longitude"),
    "area": _("Area"),
    "until": _("Until"),
    "from": _("From"),
    "to": _("To"),
    "settings": _("Settings"),
    "notifications": _("Notifications"),
    "reports": _("Reports"),
    "comment": _("Comment"),
    "debate": _("Debate"),
    "debates": _("Debates"),
    "hidden": _("Hidden"),
    "pictures": _("Pictures"),
    "documents": _("Documents"),
    "bytes": _("Size (bytes)"),
    "bans": _("Bans from commenting"),
    "trusted_author": _("Trusted author"),
    "lifted_at": _("Lifted"),
    "idle": _("Idle"),
    "absolute": _("Until (date)"),
    "event": _("Event"),
}


def label(key: str) -> str:
    known = LABELS.get(key)
    if known is not None:
        return str(known)
    try:  # an app's section: the app's name
        return str(apps.get_app_config(key).verbose_name)
    except LookupError:
        return key.replace("_", " ").capitalize()


@dataclass
class Node:
    """One value to show: `text` (with `href` if it is an address), `rows` (label, node) for
    a mapping, or `items` for a list."""

    text: str = ""
    href: str = ""
    rows: list[tuple[str, Node]] = field(default_factory=list)
    items: list[Node] = field(default_factory=list)
    empty: bool = False


def node(value: Any) -> Node:
    if value is None or value == "" or value == [] or value == {}:
        return Node(empty=True)
    if isinstance(value, Mapping):
        return Node(rows=[(label(str(key)), node(child)) for key, child in value.items()])
    if isinstance(value, list | tuple):
        # One block per entry (a list of mappings too): readable on a phone, unlike a table.
        return Node(items=[node(item) for item in value])
    if isinstance(value, bool):
        return Node(text=str(_("Yes") if value else _("No")))
    if isinstance(value, datetime):
        return Node(text=date_format(localtime(value), "DATETIME_FORMAT"))
    if isinstance(value, date):
        return Node(text=date_format(value, "DATE_FORMAT"))
    if isinstance(value, int | float):
        return Node(text=formats.number_format(value))
    text = str(value)
    if _ISO_DATE.match(text):  # apps export their times as ISO 8601 text
        try:
            return node(datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text))
        except ValueError:
            pass
    is_address = text.startswith(("https://", "http://")) or (
        text.startswith("/") and not text.startswith("//")
    )
    return Node(text=text, href=text if is_address else "")


def sections(export: Mapping[str, Any]) -> list[tuple[str, str, Node]]:
    """The export's parts as (anchor, heading, content); each app gets its own section."""
    parts: list[tuple[str, str, Node]] = []
    for key, value in export.items():
        if key == "exported_at":
            continue
        if key == "apps":
            for name, rows in value.items():
                if rows:
                    parts.append((f"data-{name}", label(name), node(rows)))
            continue
        parts.append((f"data-{key}", label(key), node(value)))
    return parts
