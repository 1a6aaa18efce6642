"""Fetching a meeting's agenda on a schedule: from an OParl 1.1 interface (a Meeting, or a
Body whose meeting list holds the meeting) or from the URL of an agenda file (CSV or JSON).

The items go through the same importer as an uploaded file (match on the item's id, then
number; nothing deleted). The OParl files of each item (auxiliaryFile, resolutionFile) become
the item's documents: each is downloaded (PDF only, size and time limited) and stored like an
uploaded document, served with the meeting's own access rules (a closed item's to staff only),
with its OParl address kept as the source. A file that cannot be copied stays a link and is
tried again at the next fetch. A failure changes nothing and is kept on the meeting
(`agenda_fetch_error`), shown to staff on the meeting's form, the console and the staff home.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import time
from collections.abc import Iterable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from samskab.core.uploads import check_pdf
from samskab.webcasts import importers, services
from samskab.webcasts.models import AgendaItem, Document, Meeting

logger = logging.getLogger("samskab.webcasts")

TIMEOUT_S = 15
# An OParl body's meeting list is paged; the meeting is looked for on this many pages.
MAX_PAGES = 20
# Meetings are fetched from this long before they start until they start.
AHEAD = timedelta(days=60)
# An item's file is copied if it is a readable PDF of at most this size (council documents,
# local plans with maps among them, run larger than citizens' attachments)...
MAX_FILE_BYTES = 25 * 1024 * 1024
# ...and arrives within this many seconds; a slow server cannot hold the worker longer.
FILE_DEADLINE_S = 60
# At most this many files are downloaded in one fetch; the rest wait for the next one.
MAX_FILES_PER_FETCH = 40
# What a server may call a PDF; the content is checked whatever it says.
PDF_TYPES = {
    "application/pdf",
    "application/x-pdf",
    "application/octet-stream",
    "binary/octet-stream",
}


class FetchError(Exception):
    """Why the agenda could not be fetched, in a sentence for staff."""


class AddressRefused(FetchError):
    """The address leads to this server's own machine or an internal network."""


def _public_addresses(host: str, port: int) -> list[str]:
    """The addresses to connect to for `host`: refused when any of them is not public
    on the internet (loopback, private and link-local ranges such as a cloud's metadata
    service at 169.254.169.254), unless the operator allows its range in
    AGENDA_FETCH_ALLOWED_NETWORKS: the address is typed by an editor, and the server would
    otherwise fetch what only it can reach. Asked for every connection, redirects included
    (_PublicOnlyBackend), and the connection is made to an address checked here."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise FetchError(
            _("The agenda system's name %(host)s could not be looked up.") % {"host": host}
        ) from error
    allowed = [
        ipaddress.ip_network(entry, strict=False)
        for entry in settings.AGENDA_FETCH_ALLOWED_NETWORKS
    ]
    addresses = [str(sockaddr[0]).split("%", 1)[0] for *_rest, sockaddr in found]
    for text in addresses:
        address = ipaddress.ip_address(text)
        if (address.is_global and not address.is_multicast) or any(
            address in network for network in allowed
        ):
            continue
        raise AddressRefused(
            _(
                "%(host)s is on an internal network (%(address)s). The operator can allow its "
                "range in AGENDA_FETCH_ALLOWED_NETWORKS."
            )
            % {"host": host, "address": address}
        )
    if not addresses:
        raise FetchError(
            _("The agenda system's name %(host)s could not be looked up.") % {"host": host}
        )
    return addresses


class _PublicOnlyBackend(httpcore.SyncBackend):
    """Connects to an address `_public_addresses` checked, never to the name itself: a name
    server that answers a public address to the check and an internal one a moment later
    (DNS rebinding) cannot lead the fetch inside. TLS still checks the certificate against
    the name (httpcore gives the name, not the address, to the handshake)."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        # In the name server's order, as a connection to the name would (IPv6 first where
        # the host has it, then IPv4).
        *others, last = _public_addresses(host, port)  # at least one
        for address in others:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError:
                continue
        return super().connect_tcp(last, port, timeout, local_address, socket_options)


class _PublicOnlyTransport(httpx.HTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        # httpx names no network backend; its pool is rebuilt with ours (tested: a fetch
        # connects to the address that was checked).
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(), network_backend=_PublicOnlyBackend()
        )


def _get(client: httpx.Client, url: str) -> httpx.Response:
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(_("The address must start with http:// or https://."))
    try:
        response = client.get(url)
    except httpx.HTTPError as error:
        raise FetchError(
            _("The agenda system did not answer (%(error)s).") % {"error": type(error).__name__}
        ) from error
    if response.status_code != 200:
        raise FetchError(
            _("The agenda system answered %(status)s for %(url)s.")
            % {"status": response.status_code, "url": url}
        )
    if len(response.content) > importers.MAX_BYTES:
        raise FetchError(_("The agenda system's answer is too large."))
    return response


def _json(response: httpx.Response) -> dict | None:
    try:
        document = json.loads(response.content)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def _oparl_type(document: dict) -> str:
    return str(document.get("type", "")).rsplit("/", 1)[-1]


def _find_meeting(client: httpx.Client, body: dict, meeting: Meeting) -> dict:
    """The OParl meeting of a body whose id is the meeting's id in the agenda system."""
    if not meeting.external_id:
        raise FetchError(
            _(
                "The address is an OParl body: write the meeting's OParl id in “id in the "
                "agenda system” so the meeting can be found in it."
            )
        )
    url = body.get("meeting")
    for _page in range(MAX_PAGES):
        if not isinstance(url, str):
            break
        page = _json(_get(client, url)) or {}
        for candidate in page.get("data", []):
            if isinstance(candidate, dict) and candidate.get("id") == meeting.external_id:
                if isinstance(candidate.get("agendaItem"), list):
                    return candidate
                return _json(_get(client, meeting.external_id)) or {}
        url = (page.get("links") or {}).get("next")
    raise FetchError(
        _("The OParl body has no meeting with the id %(id)s.") % {"id": meeting.external_id}
    )


def _files(item: dict) -> list[tuple[str, str]]:
    """(title, address) of an OParl agenda item's files (objects or bare addresses)."""
    found = []
    files = list(item.get("auxiliaryFile") or [])
    if item.get("resolutionFile"):
        files.append(item["resolutionFile"])
    for file in files:
        if isinstance(file, str):
            found.append((file.rsplit("/", 1)[-1] or file, file))
        elif isinstance(file, dict):
            address = file.get("downloadUrl") or file.get("accessUrl") or ""
            title = file.get("name") or file.get("fileName") or address.rsplit("/", 1)[-1]
            if isinstance(address, str) and urlsplit(address).scheme in ("http", "https"):
                found.append((str(title)[:300], address[:500]))
    return found


class FileRefused(Exception):
    """Why an item's file was not copied (it stays a link), in a few words for staff."""


def _download(client: httpx.Client, url: str) -> ContentFile:
    """The file at `url` as a checked PDF under a random name, or raise FileRefused."""
    deadline = time.monotonic() + FILE_DEADLINE_S
    too_large = _("larger than %(limit)s") % {"limit": filesizeformat(MAX_FILE_BYTES)}
    try:
        with client.stream("GET", url, headers={"Accept": "application/pdf"}) as response:
            if response.status_code != 200:
                raise FileRefused(_("answered %(status)s") % {"status": response.status_code})
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > MAX_FILE_BYTES:
                raise FileRefused(too_large)
            kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if kind and kind not in PDF_TYPES:
                raise FileRefused(_("not a PDF file (%(type)s)") % {"type": kind[:60]})
            data = bytearray()
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > MAX_FILE_BYTES:
                    raise FileRefused(too_large)
                if time.monotonic() > deadline:
                    raise FileRefused(
                        _("not received within %(seconds)s seconds") % {"seconds": FILE_DEADLINE_S}
                    )
    except httpx.HTTPError as error:
        raise FileRefused(_("no answer (%(error)s)") % {"error": type(error).__name__}) from error
    except FetchError as error:  # an internal address, or a name that cannot be looked up
        raise FileRefused(str(error)) from error
    try:
        return check_pdf(ContentFile(bytes(data)), max_bytes=MAX_FILE_BYTES)
    except ValidationError as error:
        raise FileRefused(" ".join(error.messages)) from error


def _documents_sync(meeting: Meeting, oparl_items: list, client: httpx.Client) -> list[str]:
    """Make each item's files its documents, copied where they can be; files already copied
    are left as they are, and links are copied when they can be. Returns what could not be
    copied, as "title: reason" for staff."""
    items = {
        item.external_id: item
        for item in AgendaItem.objects.filter(meeting=meeting).exclude(external_id="")
    }
    known = {
        document.url: document
        for document in Document.objects.filter(meeting=meeting).exclude(url="")
    }
    problems: list[str] = []
    downloads = 0
    for oparl_item in oparl_items:
        if not isinstance(oparl_item, dict):
            continue
        item = items.get(str(oparl_item.get("id", "")))
        if item is None:
            continue
        for position, (title, address) in enumerate(_files(oparl_item)):
            document = known.get(address)
            if document is not None and document.file:
                continue
            copy = None
            if downloads < MAX_FILES_PER_FETCH:
                downloads += 1
                try:
                    copy = _download(client, address)
                except FileRefused as refusal:
                    problems.append(f"{title}: {refusal}")
            if document is None:
                document = Document(
                    meeting=meeting, agenda_item=item, title=title, url=address, position=position
                )
                known[address] = document
            if copy is not None:
                document.file.save(copy.name, copy, save=False)
            document.save()
    return problems


def agenda_fetch(*, meeting: Meeting, client: httpx.Client | None = None) -> importers.Plan:
    """Fetch and import the meeting's agenda now; raise FetchError (kept on the meeting)."""
    own = client is None
    client = client or httpx.Client(
        transport=_PublicOnlyTransport(),
        timeout=TIMEOUT_S,
        follow_redirects=True,
        headers={"Accept": "application/json, text/csv;q=0.9, */*;q=0.1"},
    )
    try:
        try:
            response = _get(client, meeting.agenda_source_url)
            document = _json(response)
            oparl_items: list = []
            if document is not None and _oparl_type(document) == "Body":
                document = _find_meeting(client, document, meeting)
            if document is not None and isinstance(document.get("agendaItem"), list):
                oparl_items = document["agendaItem"]
                data = json.dumps({"agendaItem": oparl_items}).encode()
            else:
                data = response.content
            parsed = importers.read_agenda(data, filename=urlsplit(str(response.url)).path)
            with transaction.atomic():
                plan = services.agenda_import(meeting=meeting, rows=parsed.rows, by=None)
                Meeting.objects.filter(pk=meeting.pk).update(
                    agenda_fetched_at=timezone.now(), agenda_fetch_error=""
                )
            # Downloads happen outside the import's transaction: they may take minutes.
            file_problems = _documents_sync(meeting, oparl_items, client)
        except importers.AgendaFileError as error:
            raise FetchError(str(error)) from error
        except ValidationError as error:
            raise FetchError(" ".join(error.messages)) from error
    except FetchError as error:
        Meeting.objects.filter(pk=meeting.pk).update(
            agenda_fetched_at=timezone.now(), agenda_fetch_error=str(error)
        )
        logger.warning("meeting %s: agenda fetch failed: %s", meeting.pk, error)
        raise
    finally:
        if own:
            client.close()
    notes = []
    if parsed.rejected:
        problems = "; ".join(f"{r.row}: {r.reason}" for r in parsed.rejected[:5])
        notes.append(_("Some items were left out: %(problems)s") % {"problems": problems})
    if file_problems:
        notes.append(
            _("Some documents could not be copied and are linked instead: %(problems)s")
            % {"problems": "; ".join(file_problems[:5])}
        )
    if notes:
        Meeting.objects.filter(pk=meeting.pk).update(agenda_fetch_error=" ".join(notes))
    return plan


def agendas_due() -> list[Meeting]:
    """Planned meetings with an agenda address that start within AHEAD."""
    now = timezone.now()
    return list(
        Meeting.objects.filter(
            status=Meeting.Status.PLANNED, starts_at__gte=now, starts_at__lte=now + AHEAD
        ).exclude(agenda_source_url="")
    )


def agendas_fetch_due() -> int:
    """The worker's scheduled run: fetch every due meeting's agenda; how many succeeded."""
    fetched = 0
    for meeting in agendas_due():
        try:
            agenda_fetch(meeting=meeting)
        except FetchError:
            continue
        fetched += 1
    return fetched
