"""Agendas fetched on a schedule from an OParl 1.1 interface or a file's address, against a
small OParl server on loopback speaking its JSON (body -> meeting list -> agendaItem, File)
and serving the items' files."""

import http.server
import json
import socket
import threading
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from samskab.core import worker
from samskab.webcasts import agenda_fetch as fetching
from samskab.webcasts import tasks
from samskab.webcasts.agenda_fetch import FetchError, agenda_fetch, agendas_fetch_due
from samskab.webcasts.models import Meeting
from samskab.webcasts.tests.factories import AgendaItemFactory, MeetingFactory
from samskab.webcasts.tests.pdfs import pdf_file

pytestmark = pytest.mark.django_db
NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
OPARL = "https://schema.oparl.org/1.1/"


class OParl:
    """Routes (path -> (status, body)) served by a threaded HTTP server on 127.0.0.1."""

    def __init__(self):
        self.routes: dict[str, tuple[int, bytes, str]] = {}
        self.redirects: dict[str, str] = {}
        self.requested: list[str] = []
        # A path here answers its headers and then sends nothing until the test ends.
        self.stalled: set[str] = set()
        self.release = threading.Event()
        routes, redirects, requested, stalled, release = (
            self.routes,
            self.redirects,
            self.requested,
            self.stalled,
            self.release,
        )

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                requested.append(self.path)
                if self.path in stalled:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/pdf")
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    self.wfile.flush()
                    release.wait(10)
                    return
                if self.path in redirects:
                    self.send_response(302)
                    self.send_header("Location", redirects[self.path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                status, body, kind = routes.get(self.path, (404, b"{}", "application/json"))
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def json(self, path: str, document: dict, status: int = 200) -> str:
        body = json.dumps(document).encode()
        self.routes[path] = (status, body, "application/json")
        return self.url + path

    def file(self, path: str, body: bytes, kind: str = "application/pdf") -> str:
        self.routes[path] = (200, body, kind)
        return self.url + path


@pytest.fixture(autouse=True)
def _loopback_allowed(settings):
    # The fake council system runs on this machine, which agenda fetching refuses unless the
    # operator allows its range (the tests of that are below).
    settings.AGENDA_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]


@pytest.fixture
def oparl():
    server = OParl()
    yield server
    server.release.set()
    server.server.shutdown()
    server.server.server_close()


def oparl_meeting(server: OParl, *, with_files=True) -> dict:
    file = {
        "id": f"{server.url}/file/9",
        "type": OPARL + "File",
        "name": "Indstilling om skolestruktur",
        "fileName": "indstilling.pdf",
        "accessUrl": f"{server.url}/file/9/indstilling.pdf",
    }
    return {
        "id": f"{server.url}/meeting/281",
        "type": OPARL + "Meeting",
        "name": "Byrådsmøde",
        "agendaItem": [
            {
                "id": f"{server.url}/agendaitem/11",
                "type": OPARL + "AgendaItem",
                "number": "1",
                "order": 1,
                "name": "Meddelelser",
                "public": True,
            },
            {
                "id": f"{server.url}/agendaitem/12",
                "type": OPARL + "AgendaItem",
                "number": "2",
                "order": 2,
                "name": "Skolestruktur 2031",
                "public": True,
                "auxiliaryFile": [file] if with_files else [],
                "resolutionFile": f"{server.url}/file/10/beslutning.pdf" if with_files else None,
            },
            {
                "id": f"{server.url}/agendaitem/13",
                "type": OPARL + "AgendaItem",
                "number": "3",
                "order": 3,
                "name": "Salg af grund",
                "public": False,
            },
        ],
    }


def coming(**fields) -> Meeting:
    return MeetingFactory(starts_at=NOW + timedelta(days=3), **fields)


PROPOSAL = pdf_file(pages=2)
DECISION = pdf_file(pages=1)


def test_it_imports_an_oparl_meeting_with_each_item_s_documents(oparl, time_machine):
    time_machine.move_to(NOW, tick=False)
    meeting = coming(agenda_source_url=oparl.json("/meeting/281", oparl_meeting(oparl)))
    oparl.file("/file/9/indstilling.pdf", PROPOSAL)
    oparl.file("/file/10/beslutning.pdf", DECISION, kind="application/octet-stream")

    agenda_fetch(meeting=meeting)

    items = list(
        meeting.agenda_items.order_by("position").values_list("number", "title", "is_public")
    )
    assert items == [
        ("1", "Meddelelser", True),
        ("2", "Skolestruktur 2031", True),
        ("3", "Salg af grund", False),
    ]
    school = meeting.agenda_items.get(number="2")
    assert list(school.documents.values_list("title", "url")) == [
        ("Indstilling om skolestruktur", f"{oparl.url}/file/9/indstilling.pdf"),
        ("beslutning.pdf", f"{oparl.url}/file/10/beslutning.pdf"),
    ]
    # Both are copied into the documents' storage; the OParl address stays as the source.
    proposal, decision = school.documents.all()
    assert proposal.file.read() == PROPOSAL and decision.file.read() == DECISION
    assert proposal.file.name.startswith("documents/") and proposal.file.name.endswith(".pdf")
    meeting.refresh_from_db()
    assert meeting.agenda_fetched_at == NOW
    assert meeting.agenda_fetch_error == ""
    downloads = [path for path in oparl.requested if path.startswith("/file/")]
    assert len(downloads) == 2

    # Fetched again: nothing doubles, a renamed item is updated in place.
    changed = oparl_meeting(oparl)
    changed["agendaItem"][0]["name"] = "Meddelelser fra borgmesteren"
    oparl.json("/meeting/281", changed)
    agenda_fetch(meeting=meeting)
    assert meeting.agenda_items.count() == 3
    assert meeting.agenda_items.get(number="1").title == "Meddelelser fra borgmesteren"
    assert meeting.documents.count() == 2
    # A copied file is not downloaded again.
    assert [path for path in oparl.requested if path.startswith("/file/")] == downloads


def _school_documents(oparl, client=None) -> tuple[Meeting, str]:
    meeting = coming(agenda_source_url=oparl.json("/meeting/281", oparl_meeting(oparl)))
    agenda_fetch(meeting=meeting, client=client)
    meeting.refresh_from_db()
    return meeting, meeting.agenda_fetch_error


@pytest.mark.parametrize(
    ("served", "reason"),
    [
        (None, "answered 404"),
        ((b"<html>Log ind</html>", "text/html"), "not a PDF file (text/html)"),
        ((b"PK\x03\x04 a word file", "application/pdf"), "Documents must be PDF files."),
        ((b"%PDF-1.7 broken", "application/pdf"), "The PDF file is damaged or protected"),
        ((PROPOSAL + b" " * 2048, "application/pdf"), "larger than"),
    ],
    ids=["missing", "a login page", "not a pdf inside", "damaged", "too large"],
)
def test_a_file_that_cannot_be_copied_stays_a_link_and_staff_are_told_why(
    oparl, monkeypatch, served, reason
):
    monkeypatch.setattr(fetching, "MAX_FILE_BYTES", len(PROPOSAL) + 1024)
    oparl.file("/file/10/beslutning.pdf", DECISION)
    if served is not None:
        oparl.file("/file/9/indstilling.pdf", *served)

    meeting, error = _school_documents(oparl)

    assert meeting.agenda_items.count() == 3  # the agenda itself is imported
    proposal = meeting.documents.get(title="Indstilling om skolestruktur")
    assert not proposal.file and proposal.url == f"{oparl.url}/file/9/indstilling.pdf"
    assert meeting.documents.get(title="beslutning.pdf").file.read() == DECISION
    assert "Some documents could not be copied and are linked instead" in error
    assert f"Indstilling om skolestruktur: {reason}" in error
    assert "beslutning" not in error

    # Once the agenda system serves it, the next fetch copies it and the problem is gone.
    oparl.file("/file/9/indstilling.pdf", PROPOSAL)
    agenda_fetch(meeting=meeting)
    proposal.refresh_from_db()
    meeting.refresh_from_db()
    assert proposal.file.read() == PROPOSAL
    assert meeting.documents.count() == 2
    assert meeting.agenda_fetch_error == ""


def test_a_server_that_stops_sending_is_given_up_on(oparl):
    oparl.file("/file/10/beslutning.pdf", DECISION)
    oparl.stalled.add("/file/9/indstilling.pdf")
    with httpx.Client(timeout=0.5, follow_redirects=True) as client:
        meeting, error = _school_documents(oparl, client)
    assert "Indstilling om skolestruktur: no answer (ReadTimeout)" in error
    assert meeting.documents.get(title="beslutning.pdf").file.read() == DECISION


def test_no_more_files_than_the_limit_are_downloaded_in_one_fetch(oparl, monkeypatch):
    monkeypatch.setattr(fetching, "MAX_FILES_PER_FETCH", 1)
    oparl.file("/file/9/indstilling.pdf", PROPOSAL)
    oparl.file("/file/10/beslutning.pdf", DECISION)
    meeting, error = _school_documents(oparl)
    assert error == ""
    assert [bool(d.file) for d in meeting.documents.all()] == [True, False]
    agenda_fetch(meeting=meeting)  # the next fetch takes the rest
    assert [bool(d.file) for d in meeting.documents.all()] == [True, True]


def test_a_closed_item_s_copied_file_is_served_to_staff_only(oparl, client):
    from samskab.accounts.roles import Role
    from samskab.webcasts.tests.ui_helpers import staff

    closed = oparl_meeting(oparl)
    closed["agendaItem"][1]["public"] = False
    oparl.file("/file/9/indstilling.pdf", PROPOSAL)
    oparl.file("/file/10/beslutning.pdf", DECISION)
    meeting = coming(agenda_source_url=oparl.json("/meeting/281", closed))
    agenda_fetch(meeting=meeting)
    address = meeting.documents.get(title="beslutning.pdf").file.url

    assert client.get(address).status_code == 404
    client.force_login(staff(Role.EDITOR))
    response = client.get(address)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == DECISION


def test_it_finds_the_meeting_in_an_oparl_body_s_paged_meeting_list(oparl):
    wanted = oparl_meeting(oparl)
    oparl.json(
        "/body/1/meetings",
        {
            "data": [{"id": f"{oparl.url}/meeting/280"}],
            "links": {"next": f"{oparl.url}/body/1/meetings?page=2"},
        },
    )
    oparl.json("/body/1/meetings?page=2", {"data": [wanted], "links": {}})
    body = oparl.json(
        "/body/1",
        {
            "id": f"{oparl.url}/body/1",
            "type": OPARL + "Body",
            "meeting": f"{oparl.url}/body/1/meetings",
        },
    )
    meeting = coming(agenda_source_url=body, external_id=wanted["id"])

    agenda_fetch(meeting=meeting)

    assert meeting.agenda_items.count() == 3


def test_a_csv_file_s_address_works_too(oparl):
    oparl.routes["/dagsorden.csv"] = (
        200,
        b"number;title;public\n1;Godkendelse af dagsorden;ja\n2;Budget;ja\n",
        "text/csv",
    )
    meeting = coming(agenda_source_url=oparl.url + "/dagsorden.csv")
    agenda_fetch(meeting=meeting)
    assert list(meeting.agenda_items.values_list("title", flat=True)) == [
        "Godkendelse af dagsorden",
        "Budget",
    ]


@pytest.mark.parametrize(
    ("path", "document", "status", "message"),
    [
        ("/meeting/404", None, 404, "answered 404"),
        ("/meeting/500", {"error": "down"}, 500, "answered 500"),
        ("/meeting/odd", {"something": "else"}, 200, "neither"),
    ],
)
def test_a_failure_changes_nothing_and_is_shown_to_staff(
    oparl, client, path, document, status, message
):
    from samskab.accounts.roles import Role
    from samskab.webcasts.tests.ui_helpers import staff

    url = oparl.json(path, document, status) if document is not None else oparl.url + path
    meeting = coming(agenda_source_url=url)
    AgendaItemFactory(meeting=meeting, number="1", title="Typed by hand")

    with pytest.raises(FetchError):
        agenda_fetch(meeting=meeting)

    meeting.refresh_from_db()
    assert message in meeting.agenda_fetch_error
    assert list(meeting.agenda_items.values_list("title", flat=True)) == ["Typed by hand"]
    client.force_login(staff(Role.OPERATOR))
    page = client.get(f"/moeder/{meeting.pk}/konsol/").content.decode()
    assert "The agenda could not be fetched" in page


def test_the_worker_fetches_coming_meetings_with_an_address_on_its_schedule(oparl, time_machine):
    time_machine.move_to(NOW, tick=False)
    url = oparl.json("/meeting/281", oparl_meeting(oparl, with_files=False))
    due = coming(agenda_source_url=url)
    MeetingFactory(starts_at=NOW - timedelta(days=1), agenda_source_url=url)  # held already
    far = MeetingFactory(starts_at=NOW + timedelta(days=200), agenda_source_url=url)
    coming()  # no address

    assert tasks.fetch_agendas.module_path in [job.task.module_path for job in worker.scheduled()]
    assert agendas_fetch_due() == 1
    assert due.agenda_items.count() == 3
    assert far.agenda_items.count() == 0


# --- addresses only the server can reach ------------------------------------------------------
# An editor types the address; the server must not become a way to read what only it can
# reach: its own machine, the internal network, a cloud's metadata service.


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",  # a cloud's metadata service
        "http://10.0.0.7/api/meeting/1",
        "http://[::1]:8000/admin/",
        "http://0.0.0.0:6379/",
    ],
    ids=["metadata", "private", "loopback v6", "unspecified"],
)
def test_an_internal_address_is_refused_and_staff_are_told(url):
    meeting = coming(agenda_source_url=url)
    with pytest.raises(FetchError, match="internal network"):
        agenda_fetch(meeting=meeting)
    meeting.refresh_from_db()
    assert "AGENDA_FETCH_ALLOWED_NETWORKS" in meeting.agenda_fetch_error


def test_loopback_is_refused_unless_the_operator_allows_it(oparl, settings):
    url = oparl.json("/meeting/281", oparl_meeting(oparl, with_files=False))
    meeting = coming(agenda_source_url=url)
    settings.AGENDA_FETCH_ALLOWED_NETWORKS = []

    with pytest.raises(FetchError, match=r"127\.0\.0\.1"):
        agenda_fetch(meeting=meeting)
    assert oparl.requested == []  # refused before anything was sent

    settings.AGENDA_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    agenda_fetch(meeting=meeting)
    assert meeting.agenda_items.count() == 3


def test_a_redirect_to_an_internal_address_is_refused(oparl):
    # Allowed: the council system itself. Not allowed: where it sends the server on to.
    oparl.redirects["/meeting/281"] = "http://169.254.169.254/latest/meta-data/"
    meeting = coming(agenda_source_url=oparl.url + "/meeting/281")
    with pytest.raises(FetchError, match=r"169\.254\.169\.254"):
        agenda_fetch(meeting=meeting)
    assert oparl.requested == ["/meeting/281"]


def test_an_item_s_file_on_a_name_that_cannot_be_looked_up_stays_a_link(oparl):
    document = oparl_meeting(oparl, with_files=False)
    document["agendaItem"][1]["resolutionFile"] = "http://dagsorden.invalid/file/10/b.pdf"
    meeting = coming(agenda_source_url=oparl.json("/meeting/281", document))

    agenda_fetch(meeting=meeting)  # the agenda itself is fetched

    assert meeting.agenda_items.count() == 3
    meeting.refresh_from_db()
    assert "could not be looked up" in meeting.agenda_fetch_error


def test_an_item_s_file_on_an_internal_address_stays_a_link(oparl):
    document = oparl_meeting(oparl, with_files=False)
    document["agendaItem"][1]["resolutionFile"] = "http://10.1.2.3/file/10/beslutning.pdf"
    meeting = coming(agenda_source_url=oparl.json("/meeting/281", document))

    agenda_fetch(meeting=meeting)

    school = meeting.agenda_items.get(number="2")
    (link,) = school.documents.all()
    assert link.url == "http://10.1.2.3/file/10/beslutning.pdf" and not link.file
    meeting.refresh_from_db()
    assert "internal network" in meeting.agenda_fetch_error


def test_the_fetch_connects_to_the_address_it_checked_not_to_a_second_answer(oparl, monkeypatch):
    # DNS rebinding: the name server answers an allowed address to the check and another
    # one (here a loopback address where nothing listens) when the connection is made.
    url = oparl.json("/meeting/281", oparl_meeting(oparl, with_files=False))
    port = int(url.split(":")[2].split("/")[0])
    answers = iter(["127.0.0.1", "127.0.0.3"])
    asked: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host != "dagsorden.example":
            return real_getaddrinfo(host, *args, **kwargs)
        asked.append(host)
        address = next(answers, "127.0.0.3")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    meeting = coming(agenda_source_url=url.replace("127.0.0.1", "dagsorden.example"))

    agenda_fetch(meeting=meeting)

    assert meeting.agenda_items.count() == 3
    assert asked == ["dagsorden.example"]  # looked up once, for the check
