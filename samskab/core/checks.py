"""System checks for a production deployment (`samskab check --deploy`, and `samskab serve`,
`worker` and `ingest`, which run them before they start)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from samskab.core import paths

# What the example environment file (docs/deploy/samskab.env) and common examples put where
# a secret belongs; a value containing one of these is a placeholder, not a secret. Spaces
# and "#" mean a comment was read into the value (systemd keeps a trailing "# ..." there).
PLACEHOLDER_MARKERS = ("replace-me", "change-me", "changeme", "...", "#", " ", "example", "xxxx")
SECRETS = (
    ("SECRET_KEY", "samskab.E001"),
    ("CENSUS_PEPPER", "samskab.E002"),
    ("STREAM_KEY_SECRET", "samskab.E003"),
)


def is_placeholder(value: str) -> bool:
    lowered = value.lower()
    return any(marker in lowered for marker in PLACEHOLDER_MARKERS)


@register(Tags.security)
def placeholder_secrets(app_configs=None, **kwargs) -> list[Error]:
    """In production a secret copied unchanged from the example is refused."""
    if not getattr(settings, "PRODUCTION", False):
        return []
    errors = []
    for name, code in SECRETS:
        value = os.environ.get(name, "") if name != "SECRET_KEY" else settings.SECRET_KEY
        if value and is_placeholder(value):
            errors.append(
                Error(
                    f"{name} is the example's placeholder (or has a comment or space in it).",
                    hint="Generate one: python3 -c 'import secrets; "
                    "print(secrets.token_urlsafe(50))' and put it alone on its line.",
                    id=code,
                )
            )
    return errors


@register(Tags.security, deploy=True)
def storage_folders(app_configs=None, **kwargs) -> list[Warning]:
    """MEDIA_ROOT and the private root exist, are writable and share a file system."""
    media, private = paths.media_root(), paths.private_root()
    problems = []
    for path in (media, private):
        if not path.is_dir():
            problems.append(
                Warning(
                    f"The folder {path} does not exist.",
                    hint="Run `samskab setup_dirs` as the service user.",
                    id="samskab.W001",
                )
            )
        elif not os.access(path, os.W_OK | os.X_OK):
            problems.append(Warning(f"The folder {path} cannot be written.", id="samskab.W002"))
    if not problems and not paths.same_device(media, private):
        problems.append(
            Warning(
                f"{media} and {private} are on different file systems: hiding a recording "
                "copies it instead of renaming it.",
                hint="Keep both in one folder, e.g. /srv/samskab/data/{media,private}.",
                id="samskab.W003",
            )
        )
    return problems
