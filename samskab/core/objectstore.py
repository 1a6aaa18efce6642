"""Media on S3-compatible object storage (MEDIA_STORAGE=s3; docs/deploy/object-storage.md).

The object store is the one shared copy of every medium; MEDIA_ROOT and the private root
stay as each host's local working folders, where ffmpeg reads and writes (the ingest's
live segments, a package being made, a master being cut). The layout is the same on both
sides: a file MEDIA_ROOT/<rel> is the object `<media prefix>/<rel>` in the media bucket,
and <private>/<rel> is `<private prefix>/<rel>` in the private bucket (which may be the same
bucket). Neither bucket is public: every read is signed (the app's own reads, and the
short-lived URLs nginx fetches through, see `signed_url`); a hidden recording is moved to
the private side, for which no URL is ever signed.

With the default MEDIA_STORAGE=files every function here does nothing (or answers from the
local folder), so callers need not ask which storage is in use.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import mimetypes
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import storages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

from samskab.core import paths

if TYPE_CHECKING:
    from samskab.core.s3storage import MediaStorage

logger = logging.getLogger(__name__)


class StoreError(OSError):
    """The object store failed (unreachable, refused): an OSError, as a full disk would be,
    so callers that handle a failed write handle this too."""


def _boto_errors() -> tuple[type[Exception], ...]:
    """boto3's and botocore's errors, imported only where media are on S3 (boto3 is a fifth
    of a second of every process's start); with local files no call raises them."""
    if not enabled():
        return ()
    from boto3.exceptions import Boto3Error
    from botocore.exceptions import BotoCoreError, ClientError

    return (Boto3Error, BotoCoreError, ClientError)


def _store_errors(function: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except _boto_errors() as error:  # evaluated only when something was raised
            if _not_found(error):
                raise FileNotFoundError(str(error)) from error
            raise StoreError(f"object storage: {error}") from error

    return wrapper


P = ParamSpec("P")
R = TypeVar("R")
MEDIA, PRIVATE = "default", "private"
# A playlist changes while a meeting is live; segments and pictures never change once
# written (a new package gets new names), so caches may keep them for a week.
PLAYLIST_CACHE = "no-cache"
SEGMENT_CACHE = "public, max-age=604800, immutable"
FILE_CACHE = "public, max-age=86400"
CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".m4s": "video/iso.segment",
    ".vtt": "text/vtt",
}


def enabled() -> bool:
    return getattr(settings, "MEDIA_STORAGE", "files") == "s3"


def cache_control(name: str) -> str:
    if name.endswith(".m3u8"):
        return PLAYLIST_CACHE
    if name.endswith((".ts", ".m4s")):
        return SEGMENT_CACHE
    return FILE_CACHE


def content_type(name: str) -> str:
    suffix = os.path.splitext(name)[1].lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def _backend(area: str) -> MediaStorage:
    return cast("MediaStorage", storages[area])  # settings name it when S3 is enabled


def locate(path: Path) -> tuple[str, str]:
    """(storage area, object key) of a local path under MEDIA_ROOT or the private root."""
    path = Path(os.path.abspath(path))
    for area, root in ((PRIVATE, paths.private_root()), (MEDIA, paths.media_root())):
        root = Path(os.path.abspath(root))
        if path == root or root in path.parents:
            rel = path.relative_to(root).as_posix()
            location = _backend(area).location.strip("/")
            key = "/".join(part for part in (location, "" if rel == "." else rel) if part)
            return area, key
    raise ValueError(f"{path} is neither under MEDIA_ROOT nor the private root")


def _keys(area: str, key: str) -> Iterator[Any]:
    """The object summaries of the object `key` and of everything under `key/`."""
    bucket = _backend(area).bucket
    prefix = key.rstrip("/")
    for summary in bucket.objects.filter(Prefix=prefix):
        if summary.key == prefix or summary.key.startswith(prefix + "/"):
            yield summary


def _rel(area: str, key: str) -> str:
    location = _backend(area).location.strip("/")
    return key[len(location) + 1 :] if location else key


@_store_errors
def listing(path: Path) -> dict[str, int]:
    """Files under the local path's key (or the one file): {path relative to it: size}."""
    if not enabled():
        if path.is_file():
            return {"": path.stat().st_size}
        if not path.is_dir():
            return {}
        return {
            each.relative_to(path).as_posix(): each.stat().st_size
            for each in path.rglob("*")
            if each.is_file()
        }
    area, key = locate(path)
    prefix = key.rstrip("/")
    return {s.key[len(prefix) :].lstrip("/"): s.size for s in _keys(area, key)}


@_store_errors
def exists(path: Path) -> bool:
    if not enabled():
        return path.exists()
    area, key = locate(path)
    return next(_keys(area, key), None) is not None


@_store_errors
def is_file(path: Path) -> bool:
    if not enabled():
        return path.is_file()
    area, key = locate(path)
    return _backend(area).exists(_rel(area, key))


@_store_errors
def size(path: Path) -> int | None:
    """The file's size, None when it is not there."""
    if not enabled():
        return path.stat().st_size if path.is_file() else None
    area, key = locate(path)
    try:
        return _backend(area).bucket.Object(key).content_length
    except Exception as error:  # botocore ClientError 404
        if _not_found(error):
            return None
        raise


@_store_errors
def read_bytes(path: Path) -> bytes:
    if not enabled():
        return path.read_bytes()
    area, key = locate(path)
    return _backend(area).bucket.Object(key).get()["Body"].read()


def open_stream(path: Path, chunk: int = 256 * 1024) -> Iterator[bytes]:
    """The object's bytes in chunks, for the app to send itself (no nginx in front)."""
    area, key = locate(path)
    body = _backend(area).bucket.Object(key).get()["Body"]
    try:
        yield from body.iter_chunks(chunk)
    finally:
        body.close()


def _not_found(error: Exception) -> bool:
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code")) in {"404", "NoSuchKey", "NotFound"}


@_store_errors
def publish(path: Path, *, keep_local: bool = True) -> int:
    """Upload a local file, or every file in a local folder (playlists last, so a player
    never sees a playlist naming a segment not yet there); the number uploaded. Without
    `keep_local` the local copy is deleted once it is uploaded."""
    if not enabled() or not path.exists():
        return 0
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    files.sort(key=lambda p: (p.suffix == ".m3u8", p.as_posix()))
    for each in files:
        upload_file(each)
        if not keep_local:
            each.unlink(missing_ok=True)
    if not keep_local and path.is_dir():
        with contextlib.suppress(OSError):
            for folder in sorted((p for p in path.rglob("*") if p.is_dir()), reverse=True):
                folder.rmdir()
            path.rmdir()
    return len(files)


@_store_errors
def upload_file(local: Path, target: Path | None = None) -> None:
    """Upload one local file to the key of `target` (default: its own place)."""
    area, key = locate(target or local)
    extra = {"ContentType": content_type(key), "CacheControl": cache_control(key)}
    _backend(area).bucket.upload_file(str(local), key, ExtraArgs=extra)


@_store_errors
def put_bytes(path: Path, data: bytes) -> None:
    """Store bytes at the path's key (a playlist as it was read, not as it is now)."""
    area, key = locate(path)
    _backend(area).bucket.put_object(
        Key=key, Body=data, ContentType=content_type(key), CacheControl=cache_control(key)
    )


@_store_errors
def modified(path: Path) -> float | None:
    """When the file was last written (a Unix time), None when it is not there."""
    if not enabled():
        return path.stat().st_mtime if path.is_file() else None
    area, key = locate(path)
    try:
        return _backend(area).bucket.Object(key).last_modified.timestamp()
    except Exception as error:  # botocore ClientError 404
        if _not_found(error):
            return None
        raise


@_store_errors
def remove(path: Path) -> int:
    """Delete the object at the path's key and everything under it; the number deleted."""
    if not enabled():
        return 0
    area, key = locate(path)
    found = [{"Key": s.key} for s in _keys(area, key)]
    _delete(area, found)
    return len(found)


@_store_errors
def remove_except(path: Path, keep: set[str]) -> int:
    """Delete everything under the path's key but what sits under the top-level names in
    `keep`; the number deleted."""
    if not enabled():
        return 0
    area, key = locate(path)
    prefix = key.rstrip("/")
    found = [
        {"Key": s.key}
        for s in _keys(area, key)
        if s.key[len(prefix) :].lstrip("/").split("/", 1)[0] not in keep
    ]
    _delete(area, found)
    return len(found)


def _delete(area: str, found: list[dict[str, str]]) -> None:
    bucket = _backend(area).bucket
    for start in range(0, len(found), 1000):  # S3 deletes at most 1,000 keys a request
        bucket.delete_objects(Delete={"Objects": found[start : start + 1000], "Quiet": True})


@_store_errors
def move(source: Path, target: Path) -> int:
    """Move the objects under the source's key to the target's (a server-side copy, then
    the source's deletion; S3 has no rename). Whatever was at the target is replaced. The
    copies are made first, so a failure midway leaves the source whole."""
    if not enabled():
        return 0
    source_area, source_key = locate(source)
    target_area, target_key = locate(target)
    found = list(_keys(source_area, source_key))
    if not found:
        return 0
    remove(target)
    source_bucket = _backend(source_area).bucket
    target_bucket = _backend(target_area).bucket
    prefix = source_key.rstrip("/")
    for summary in found:
        new_key = target_key.rstrip("/") + summary.key[len(prefix) :]
        target_bucket.copy(
            {"Bucket": source_bucket.name, "Key": summary.key},
            new_key,
            ExtraArgs={
                "MetadataDirective": "REPLACE",
                "ContentType": content_type(new_key),
                "CacheControl": cache_control(new_key),
            },
        )
    remove(source)
    return len(found)


@_store_errors
def fetch(path: Path) -> bool:
    """Make sure the local working copy of a file (or of every file in a folder) is the
    store's: download what is missing or differs in size. False when the store has none."""
    if not enabled():
        return path.exists()
    area, key = locate(path)
    bucket = _backend(area).bucket
    prefix = key.rstrip("/")
    found = False
    for summary in _keys(area, key):
        found = True
        local = Path(str(path) + summary.key[len(prefix) :])
        if local.is_file() and local.stat().st_size == summary.size:
            continue
        local.parent.mkdir(parents=True, exist_ok=True)
        partial = local.with_name(local.name + f".{os.getpid()}.part")
        bucket.download_file(summary.key, str(partial))
        partial.replace(local)
    return found


@_store_errors
def signed_url(path: Path, *, cache: str = "") -> str:
    """A short-lived signed GET address of the object (S3_SIGNED_URL_SECONDS), for nginx
    to fetch it from (X-Accel-Redirect): the bucket itself answers nobody unsigned."""
    area, key = locate(path)
    backend = _backend(area)
    params: dict[str, str] = {"Bucket": backend.bucket.name, "Key": key}
    if cache:
        params["ResponseCacheControl"] = cache
    return backend.bucket.meta.client.generate_presigned_url(
        "get_object", Params=params, ExpiresIn=settings.S3_SIGNED_URL_SECONDS
    )


def check() -> str:
    """'' when both buckets answer (for /readyz), else what failed."""
    try:
        for area in (MEDIA, PRIVATE):
            _backend(area).bucket.meta.client.head_bucket(Bucket=_backend(area).bucket.name)
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return ""


def response(path: Path, *, content_type: str, cache: str, filename: str = "") -> HttpResponseBase:
    """Send a stored file the app has decided to send (a 404 is the caller's business).

    With MEDIA_ACCEL_REDIRECT set (production), the answer is empty and names the object
    for nginx: `X-Accel-Redirect: <location><key>?<signature>`; nginx's internal location
    fetches it from the bucket with that signed query and caches it by its key, not its
    signature (docs/deploy/object-storage.md). Otherwise the app streams it itself."""
    accel = getattr(settings, "MEDIA_ACCEL_REDIRECT", "")
    disposition = f'attachment; filename="{filename}"' if filename else ""
    if accel:
        # The object must be where the address points. nginx caches by path, so a segment
        # of a recording hidden since (moved to the private bucket) would otherwise go on
        # being served from its cache: one HEAD to the store per request refuses it.
        if size(path) is None:
            raise FileNotFoundError(str(path))
        signed = urlsplit(signed_url(path, cache=cache))
        result: HttpResponseBase = HttpResponse(content_type=content_type)
        result["X-Accel-Redirect"] = f"{accel.rstrip('/')}{signed.path}?{signed.query}"
    else:
        length = size(path)
        if length is None:
            raise FileNotFoundError(str(path))
        result = StreamingHttpResponse(open_stream(path), content_type=content_type)
        result["Content-Length"] = str(length)
    if cache:
        result["Cache-Control"] = cache
    if disposition:
        result["Content-Disposition"] = disposition
    return result


def serve_media(request: HttpRequest, path: str) -> HttpResponseBase:
    """`/media/<path>` for the files outside a meeting's (people's pictures, the logo,
    comments' pictures and attachments), which the local disk setup has nginx serve straight
    from MEDIA_ROOT: public, as they are there. A meeting's files have their own view."""
    if "\\" in path or "\x00" in path or any(p in ("", ".", "..") for p in path.split("/")):
        raise Http404
    try:
        return response(
            paths.media_root() / path, content_type=content_type(path), cache=FILE_CACHE
        )
    except FileNotFoundError:
        raise Http404 from None
