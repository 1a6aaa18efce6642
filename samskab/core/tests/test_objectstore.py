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


def test_a_site_with_its_media_on_disk_does_not_import_boto3():
    # boto3 is a fifth of a second of every process's start (web, worker, commands).
    import os
    import subprocess
    import sys

    code = (
        "import sys, django; django.setup(); from django.urls import resolve; resolve('/'); "
        "from samskab.core import objectstore; from pathlib import Path; "
        "objectstore.exists(Path('/nowhere')); print('boto3' in sys.modules)"
    )
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "samskab.settings", "MEDIA_STORAGE": "files"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "False"


def test_a_missing_object_is_a_missing_file_and_a_refused_one_a_store_error(s3_media, settings):
    from botocore.exceptions import ClientError

    from samskab.core import objectstore

    missing = paths.media_root() / "people" / "nobody.jpg"
    assert objectstore.size(missing) is None
    assert objectstore.modified(missing) is None
    with pytest.raises(FileNotFoundError):
        objectstore.read_bytes(missing)
    settings.STORAGES = settings.STORAGES | {
        "default": settings.STORAGES["default"]
        | {"OPTIONS": settings.STORAGES["default"]["OPTIONS"] | {"bucket_name": "no-such"}}
    }
    with pytest.raises(objectstore.StoreError) as failed:
        objectstore.read_bytes(missing)
    assert isinstance(failed.value.__cause__, ClientError)
