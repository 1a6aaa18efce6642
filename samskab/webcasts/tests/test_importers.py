"""Agenda import: reading the three formats, planning against the agenda, applying it whole."""

import json

import pytest

from samskab.accounts.roles import Role
from samskab.webcasts.importers import (
    AgendaFileError,
    Row,
    agenda_import_plan,
    read_agenda,
)
from samskab.webcasts.models import AgendaItem
from samskab.webcasts.services import agenda_import
from samskab.webcasts.tests.factories import AgendaItemFactory, MeetingFactory, user_with_role

OCD = {
    "name": "Byrådsmøde",
    "start_date": "2030-03-04T16:00:00+01:00",
    "agenda": [
        {"order": "1", "description": "Godkendelse af dagsorden", "subjects": [], "notes": []},
        {
            "order": "2",
            "description": "Skolestruktur 2031",
            "subjects": ["skoler", "økonomi"],
            "notes": ["Indstilling fra Børne- og Skoleudvalget"],
        },
    ],
}
OPARL = {
    "type": "https://schema.oparl.org/1.1/Meeting",
    "agendaItem": [
        {
            "id": "https://oparl.example.org/ai/11",
            "number": "1",
            "order": 1,
            "name": "Meddelelser",
            "public": True,
        },
        {
            "id": "https://oparl.example.org/ai/12",
            "number": "2",
            "order": 2,
            "name": "Salg af grund",
            "public": False,
        },
    ],
}
CSV = (
    "number;title;description;public\n1;Godkendelse af dagsorden;;ja\n2;Budget 2031;Drøftelse;nej\n"
)


def rows_of(parsed):
    return [(row.row, row.number, row.title, row.is_public) for row in parsed.rows]


# --- reading (no database) ---


def test_it_reads_an_open_civic_data_event():
    parsed = read_agenda(json.dumps(OCD).encode(), filename="event.json")
    assert parsed.format == "Open Civic Data"
    assert rows_of(parsed) == [
        (1, "1", "Godkendelse af dagsorden", True),
        (2, "2", "Skolestruktur 2031", True),
    ]
    assert "Indstilling fra Børne- og Skoleudvalget" in parsed.rows[1].description
    assert "skoler, økonomi" in parsed.rows[1].description


def test_it_reads_an_oparl_meeting_with_closed_items_and_ids():
    parsed = read_agenda(json.dumps(OPARL).encode())
    assert parsed.format == "OParl"
    assert rows_of(parsed) == [(1, "1", "Meddelelser", True), (2, "2", "Salg af grund", False)]
    assert parsed.rows[1].external_id == "https://oparl.example.org/ai/12"


def test_it_reads_csv_with_semicolons_or_commas_and_danish_yes_no():
    assert rows_of(read_agenda(CSV.encode())) == [
        (2, "1", "Godkendelse af dagsorden", True),
        (3, "2", "Budget 2031", False),
    ]
    commas = 'number,title,public\n7,"Vej, sti og bro",yes\n'
    assert rows_of(read_agenda(commas.encode())) == [(2, "7", "Vej, sti og bro", True)]


def test_it_reads_csv_saved_as_windows_1252_by_a_spreadsheet():
    parsed = read_agenda("number;title\n1;Børnehaver på Østerbro\n".encode("cp1252"))
    assert parsed.rows[0].title == "Børnehaver på Østerbro"


def test_rows_with_duplicate_numbers_or_empty_titles_are_rejected_with_their_row_numbers():
    text = "number;title;public\n1;En\n2;\n1;Igen\n3;Tre;måske\n4;Fire\n"
    parsed = read_agenda(text.encode())
    assert rows_of(parsed) == [(2, "1", "En", True), (6, "4", "Fire", True)]
    assert [(r.row, r.reason) for r in parsed.rejected] == [
        (3, "The title is empty."),
        (4, "The number 1 is used already in row 2."),
        (5, '"måske" in the public column is neither yes nor no.'),
    ]


def test_a_csv_injection_cell_is_kept_as_plain_text():
    parsed = read_agenda(b'number;title;description\n1;=HYPERLINK("http://x");@SUM(A1)\n')
    assert parsed.rows[0].title == '=HYPERLINK("http://x")'
    assert parsed.rows[0].description == "@SUM(A1)"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"{not json", "not valid JSON"),
        (b'{"events": []}', 'neither an "agenda" list'),
        (b"[1, 2, 3]", 'neither an "agenda" list'),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not text"),
        (b"nummer;overskrift\n1;Hej\n", "header row"),
        (b"x" * (10 * 1024 * 1024), "too large"),
    ],
)
def test_hostile_or_malformed_files_are_refused_whole(data, message):
    with pytest.raises(AgendaFileError, match=message):
        read_agenda(data)


def test_entries_of_the_wrong_shape_are_rejected_one_by_one():
    agenda = ["text", {"order": 2, "description": "To"}, {"order": {"x": 1}, "description": "Tre"}]
    parsed = read_agenda(json.dumps({"agenda": agenda}).encode())
    assert [(r.row, r.reason) for r in parsed.rejected] == [(1, "The entry is not an object.")]
    assert rows_of(parsed) == [(2, "2", "To", True), (3, "3", "Tre", True)]


def test_an_agenda_of_too_many_items_is_refused():
    text = "number;title\n" + "".join(f"{n};Punkt {n}\n" for n in range(501))
    with pytest.raises(AgendaFileError, match="at most 500"):
        read_agenda(text.encode())


# --- planning and applying ---


def row(number, title, *, row=None, external_id="", is_public=True, position=0):
    return Row(row or int(number), number, title, "", is_public, external_id, position)


@pytest.mark.django_db
def test_a_first_import_creates_every_item():
    meeting = MeetingFactory()
    parsed = read_agenda(CSV.encode())
    plan = agenda_import(meeting=meeting, rows=parsed.rows, by=user_with_role(Role.EDITOR))
    assert len(plan.create) == 2
    assert list(meeting.agenda_items.values_list("number", "title", "is_public")) == [
        ("1", "Godkendelse af dagsorden", True),
        ("2", "Budget 2031", False),
    ]


@pytest.mark.django_db
def test_a_reimport_updates_by_number_without_duplicating():
    meeting = MeetingFactory()
    AgendaItemFactory(meeting=meeting, number="1", title="Gammel titel", position=1)
    plan = agenda_import_plan(
        meeting=meeting, rows=[row("1", "Ny titel", position=1), row("2", "Nyt punkt", position=2)]
    )
    assert [u.changed for u in plan.update] == [["title"]]
    assert [r.title for r in plan.create] == ["Nyt punkt"]
    agenda_import(meeting=meeting, rows=plan.rows, by=None)
    agenda_import(meeting=meeting, rows=plan.rows, by=None)
    assert list(meeting.agenda_items.values_list("number", "title")) == [
        ("1", "Ny titel"),
        ("2", "Nyt punkt"),
    ]


@pytest.mark.django_db
def test_a_reimport_matches_on_the_agenda_systems_id_even_when_numbers_swap():
    meeting = MeetingFactory()
    first = AgendaItemFactory(meeting=meeting, number="1", title="A", external_id="ai/11")
    second = AgendaItemFactory(meeting=meeting, number="2", title="B", external_id="ai/12")
    rows = [row("1", "B", external_id="ai/12"), row("2", "A", external_id="ai/11")]
    agenda_import(meeting=meeting, rows=rows, by=None)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.number, second.number) == ("2", "1")
    assert AgendaItem.objects.filter(meeting=meeting).count() == 2


@pytest.mark.django_db
def test_a_row_taking_the_number_of_an_item_left_out_of_the_file_is_rejected():
    meeting = MeetingFactory()
    AgendaItemFactory(meeting=meeting, number="3", title="Trafik", external_id="ai/3")
    plan = agenda_import_plan(meeting=meeting, rows=[row("3", "Andet", external_id="ai/9")])
    assert plan.create == []
    assert [(r.row, r.reason) for r in plan.rejected] == [
        (3, 'The number 3 belongs to the item "Trafik", which is not in the file.')
    ]
    assert [item.title for item in plan.kept] == ["Trafik"]


@pytest.mark.django_db
def test_unchanged_rows_are_reported_as_unchanged():
    meeting = MeetingFactory()
    AgendaItemFactory(meeting=meeting, number="1", title="Samme", position=1)
    plan = agenda_import_plan(meeting=meeting, rows=[row("1", "Samme", position=1)])
    assert plan.update == [] and len(plan.unchanged) == 1


@pytest.mark.django_db
def test_nothing_is_half_saved_when_a_write_fails(monkeypatch):
    meeting = MeetingFactory()
    AgendaItemFactory(meeting=meeting, number="1", title="Før")

    def broken_bulk_create(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(AgendaItem.objects, "bulk_create", broken_bulk_create)
    with pytest.raises(RuntimeError):
        agenda_import(meeting=meeting, rows=[row("1", "Efter"), row("2", "Ny")], by=None)
    assert list(meeting.agenda_items.values_list("number", "title")) == [("1", "Før")]
