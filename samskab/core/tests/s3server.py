"""An S3 server on loopback for the object-storage tests: moto's server (ThreadedMotoServer),
which speaks S3's wire protocol over HTTP, so boto3 and django-storages run as against a
real store (signatures are checked: an unsigned GET is refused).

The root conftest loads this module as a plugin. The `s3_media` fixture starts the server
once per run, makes fresh buckets for the test and points MEDIA_STORAGE=s3 at them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import pytest

_counter = itertools.count(1)
KEY_ID, SECRET = "samskab-test", "samskab-test-secret"


@dataclass
class S3:
    endpoint: str
    client: Any
    bucket: str
    private_bucket: str

    def listed(self, bucket: str | None = None, prefix: str = "") -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=bucket or self.bucket, Prefix=prefix
        )
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def head(self, key: str, bucket: str | None = None) -> dict:
        return self.client.head_object(Bucket=bucket or self.bucket, Key=key)


@pytest.fixture(scope="session")
def moto_server():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_media(moto_server, settings) -> S3:
    import boto3

    number = next(_counter)
    client = boto3.client(
        "s3",
        endpoint_url=moto_server,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
        region_name="us-east-1",
    )
    bucket, private = f"media-{number}", f"private-{number}"
    client.create_bucket(Bucket=bucket)
    client.create_bucket(Bucket=private)
    settings.MEDIA_STORAGE = "s3"
    settings.S3_ENDPOINT_URL = moto_server
    settings.S3_REGION = "us-east-1"
    settings.S3_ACCESS_KEY_ID, settings.S3_SECRET_ACCESS_KEY = KEY_ID, SECRET
    settings.S3_BUCKET, settings.S3_PRIVATE_BUCKET = bucket, private
    settings.S3_SIGNED_URL_SECONDS = 300
    stores = dict(settings.STORAGES)
    stores["default"] = s3_storage(bucket, "media", moto_server)
    stores["private"] = s3_storage(private, "private", moto_server)
    settings.STORAGES = stores
    return S3(moto_server, client, bucket, private)


def s3_storage(bucket: str, prefix: str, endpoint: str) -> dict:
    return {
        "BACKEND": "samskab.core.s3storage.MediaStorage",
        "OPTIONS": {
            "bucket_name": bucket,
            "location": prefix,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            "endpoint_url": endpoint,
            "region_name": "us-east-1",
            "access_key": KEY_ID,
            "secret_key": SECRET,
        },
    }
