"""Django's storage for media on S3 (MEDIA_STORAGE=s3; settings.STORAGES names it). A module
of its own so that boto3, which takes a fifth of a second to import, is imported by the
processes of a site that stores its media on S3 and by no other (core/objectstore.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.conf import settings
from storages.backends.s3 import S3Storage


class MediaStorage(S3Storage):
    """Django's default storage on S3: the objects' addresses are the site's own `/media/...`
    (the app checks, then streams or hands to nginx), never the bucket's, so pages need no
    other origin in their CSP and the bucket stays private."""

    def url(
        self, name: str | None, parameters: Any = None, expire: Any = None, http_method: Any = None
    ) -> str:
        return settings.MEDIA_URL + quote(str(name or "").replace("\\", "/"))
