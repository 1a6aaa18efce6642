"""Agendas fetched on a schedule from an OParl 1.1 interface or a file's address, against a
small OParl server on loopback speaking its JSON (body -> meeting list -> agendaItem, File)."""

import http.server
import json
import threading
from datetime import UTC, datetime, timedelta

import pytest

from samskab.core import worker
from samskab.webcasts import tasks
from samskab.webcasts.agenda_fetch import FetchError, agenda_fetch, agendas_fetch_due
from samskab.webcasts.models import Meeting
from samskab.webcasts.tests.factories import AgendaItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
OPARL = "https://schema.oparl.org/1.1/"


class OParl:
    """Routes (path -> (status, body)) served by a threaded HTTP server on 127.0.0.1."""

    def __init__(self):
        self.routes: dict[str, tuple[int, bytes, str]] = {}
        routes = self.routes

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
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


@pytest.fixture
def oparl():
    server = OParl()
    yield server
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


def test_it_imports_an_oparl_meeting_with_each_item_s_documents(oparl, time_machine):
    time_machine.move_to(NOW, tick=False)
    meeting = coming(agenda_source_url=oparl.json("/meeting/281", oparl_meeting(oparl)))

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
    meeting.refresh_from_db()
    assert meeting.agenda_fetched_at == NOW
    assert meeting.agenda_fetch_error == ""

    # Fetched again: nothing doubles, a renamed item is updated in place.
    changed = oparl_meeting(oparl)
    changed["agendaItem"][0]["name"] = "Meddelelser fra borgmesteren"
    oparl.json("/meeting/281", changed)
    agenda_fetch(meeting=meeting)
    assert meeting.agenda_items.count() == 3
    assert meeting.agenda_items.get(number="1").title == "Meddelelser fra borgmesteren"
    assert meeting.documents.count() == 2


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
