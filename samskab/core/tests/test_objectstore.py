"""Django's default storage on object storage (moto's S3 server on loopback): uploaded files
get the site's own addresses, the app sends them, the bucket refuses anyone unsigned, and
/readyz asks the buckets."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from samskab.core import paths

pytestmark = pytest.mark.django_db


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_an_uploaded_picture_lives_in_the_bucket_and_is_sent_by_the_site(s3_media, client):
    name = default_storage.save("people/mette.jpg", ContentFile(b"\xff\xd8picture"))
    assert default_storage.url(name) == f"/media/{name}"
    assert s3_media.listed(prefix="media/people/") == [f"media/{name}"]
    response = client.get(f"/media/{name}")
    assert response.status_code == 200 and body_of(response) == b"\xff\xd8picture"
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "public, max-age=86400"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{s3_media.endpoint}/{s3_media.bucket}/media/{name}")  # noqa: S310
    assert refused.value.code == 403
    assert client.get("/media/people/nobody.jpg").status_code == 404
    assert client.get("/media/people/../private/x").status_code == 404


def test_readiness_asks_the_buckets(s3_media, client, settings):
    for folder in (paths.media_root(), paths.private_root()):  # the local working folders
        folder.mkdir(parents=True, exist_ok=True)
    response = client.get("/readyz")
    assert json.loads(response.content)["checks"]["media"] == "ok"
    stores = dict(settings.STORAGES)
    stores["private"] = {
        **stores["private"],
        "OPTIONS": {**stores["private"]["OPTIONS"], "bucket_name": "gone-bucket"},
    }
    settings.STORAGES = stores
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "media" in json.loads(response.content)["failed"]
