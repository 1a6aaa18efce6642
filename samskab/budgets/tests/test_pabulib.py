import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samskab.budgets import pabulib
from samskab.budgets.counting import Election, equal_shares
from samskab.budgets.pabulib import PabulibError, PabulibFile, Project, Vote

from .strategies import elections
from .test_wieliczka import wieliczka  # noqa: F401 - the fixture

# Pure counting: the same in both of CI's passes, so it runs in one (conftest.py).
pytestmark = pytest.mark.one_pass

SMALL = '''META
key;value
description;Small test
num_projects;3
num_votes;4
budget;100000
vote_type;approval
PROJECTS
project_id;name;cost;category;selected
1;Bench;5000;parks;1
2;"Path; with ""quotes""";10000;roads;0
3;Pond;85000;;1
VOTES
voter_id;age;vote
1;34;1,2
2;;1
3;71;3
4;19;1,2,3
'''


def test_it_reads_sections_columns_and_quoted_cells():
    instance = pabulib.parse(SMALL)
    assert instance.budget == 100_000
    assert instance.meta["description"] == "Small test"
    assert [p.project_id for p in instance.projects] == ["1", "2", "3"]
    assert instance.projects[1].fields == {
        "name": 'Path; with "quotes"',
        "category": "roads",
        "selected": "0",
    }
    assert instance.selected() == ["1", "3"]
    assert instance.votes[3] == Vote("4", ("1", "2", "3"), None, {"age": "19"})
    election = instance.election()
    assert election.votes() == {"1": 3, "2": 2, "3": 2}
    assert election.voters == 4


def test_writing_and_reading_back_gives_the_same_file():
    instance = pabulib.parse(SMALL)
    assert pabulib.parse(pabulib.write(instance)) == instance


def test_the_wieliczka_file_survives_a_round_trip(wieliczka):  # noqa: F811 - the fixture
    assert pabulib.parse(pabulib.write(wieliczka)) == wieliczka
    names = {p.project_id: p.fields["name"] for p in wieliczka.projects}
    assert names["80"] == 'Drzewne przytulasy i relaksacyjne gniazda w Parku "Stok pod Baranem"'


def test_it_tolerates_what_real_files_contain():
    messy = (
        "\ufeffmeta\r\nKey;Value\r\nbudget;1000.0\r\n\r\nvote_type;approval;\r\n"
        "Projects\r\nProject_ID ; Cost ; Name ; latitude\r\n a ; 1 000 ; A ; 50.1\r\nb;20;B\r\n"
        "VOTES\r\nvoter_id;vote;\r\n1; a , b ;\r\n2;\r\n"
    )
    instance = pabulib.parse(messy)
    assert instance.budget == 1000
    assert instance.project_columns == ("project_id", "cost", "name", "latitude")
    assert instance.projects[0] == Project("a", 1000, {"name": "A", "latitude": "50.1"})
    assert instance.projects[1].fields == {"name": "B", "latitude": ""}
    assert [v.projects for v in instance.votes] == [("a", "b"), ()]


def test_it_reads_points_and_counts_them_only_when_asked():
    cumulative = (
        SMALL.replace("vote_type;approval", "vote_type;cumulative")
        .replace("voter_id;age;vote\n1;34;1,2", "voter_id;age;vote;points\n1;34;1,2;3,2")
        .replace("2;;1\n3;71;3\n4;19;1,2,3", "2;;1;5\n3;71;3;5\n4;19;1,2,3;1,1,3")
    )
    instance = pabulib.parse(cumulative)
    assert instance.votes[0].points == (3, 2)
    assert pabulib.parse(pabulib.write(instance)) == instance
    with pytest.raises(PabulibError, match="cumulative"):
        instance.election()
    assert instance.election(as_approval=True).votes() == {"1": 3, "2": 2, "3": 2}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("1;34;1,2", "1;34;1,9"), "unknown projects"),
        (("3;Pond;85000", "1;Pond;85000"), "repeated"),
        (("3;Pond;85000", "3;Pond;85000.5"), "not a whole amount"),
        (("3;Pond;85000", "3;Pond;lots"), "not a number"),
        (("2;;1\n", "1;;1\n"), "repeated"),
        (("VOTES\n", "BALLOTS\n"), "Line 18: the file ends without a VOTES section"),
        (("4;19;1,2,3", "4;19;1,2,3;extra"), "cells under a header"),
        (("4;19;1,2,3", "4;19;1,1"), "twice"),
        (("budget;100000\n", ""), "no budget"),
        (("project_id;name;cost", "id;name;cost"), "project_id, cost"),
    ],
)
def test_it_refuses_malformed_files(change, message):
    text = SMALL.replace(*change)
    with pytest.raises(PabulibError, match=message):
        pabulib.parse(text).election()


def test_it_refuses_data_before_any_section():
    with pytest.raises(PabulibError, match="before the META"):
        pabulib.parse("budget;100\n" + SMALL)


def test_it_will_not_write_what_it_could_not_read_back():
    for blank in ("", " "):
        instance = PabulibFile(meta={"votes": blank}, projects=(), votes=())
        with pytest.raises(PabulibError, match="section"):
            pabulib.write(instance)
    bad_id = PabulibFile(
        meta={"budget": "1"}, projects=(Project("a,b", 1),), votes=(Vote("1", ("a,b",)),)
    )
    with pytest.raises(PabulibError, match="comma"):
        pabulib.write(bad_id)


def test_an_exported_election_counts_the_same():
    election = Election(
        budget=300,
        costs={"A": 200, "B": 100, "C": 150},
        approvals=[frozenset("AC"), frozenset("BC")],
        counts=[2, 1],
    )
    exported = pabulib.from_election(
        election, meta={"description": "Test"}, project_fields={"A": {"name": "Alpha"}}
    )
    assert exported.meta["num_votes"] == "3"
    assert exported.projects[0].fields == {"votes": "2", "name": "Alpha"}
    again = pabulib.parse(pabulib.write(exported)).election()
    assert again.votes() == election.votes()
    assert equal_shares(again).winners == equal_shares(election).winners


CELL = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), max_size=8
) | st.sampled_from(['a "b"', "x;y", "multi\nline", "ü"])
KEY = st.text("abcdefghij_", min_size=1, max_size=6).filter(lambda k: k not in pabulib.SECTIONS)
ID = st.text("0123456789abc", min_size=1, max_size=3)


@st.composite
def pabulib_files(draw: st.DrawFn) -> PabulibFile:
    meta = draw(st.dictionaries(KEY, CELL.filter(bool), max_size=4))
    extra = tuple(
        draw(
            st.lists(KEY.filter(lambda k: k not in ("project_id", "cost")), unique=True, max_size=3)
        )
    )
    ids = draw(st.lists(ID, unique=True, max_size=5))
    projects = tuple(
        Project(i, draw(st.integers(0, 10**9)), {c: draw(CELL) for c in extra}) for i in ids
    )
    with_points = draw(st.booleans())
    votes = []
    for n in range(draw(st.integers(0, 5))):
        chosen = tuple(draw(st.lists(st.sampled_from(ids), unique=True))) if ids else ()
        points = tuple(draw(st.integers(0, 9)) for _ in chosen) if with_points else None
        votes.append(Vote(str(n + 1), chosen, points, {"age": draw(st.sampled_from(["", "30"]))}))
    vote_columns = ("voter_id", "vote", "age") + (("points",) if with_points else ())
    return PabulibFile(meta, projects, tuple(votes), ("project_id", "cost", *extra), vote_columns)


@settings(max_examples=300, deadline=None, database=None)
@given(pabulib_files())
def test_any_file_we_write_reads_back_the_same(instance):
    assert pabulib.parse(pabulib.write(instance)) == instance


@settings(max_examples=100, deadline=None, database=None)
@given(elections())
def test_any_election_survives_export_and_import(election):
    again = pabulib.parse(pabulib.write(pabulib.from_election(election))).election()
    assert again.votes() == election.votes()
    assert again.voters == election.voters
    assert dict(again.costs) == dict(election.costs)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # A negative cost, on the line of its project.
        (
            SMALL.replace("3;Pond;85000", "3;Pond;-85000"),
            "Line 12: project '3' has a negative cost",
        ),
        (SMALL.replace("budget;100000", "budget;-1"), "Line 6: the budget is negative"),
        # Sections out of order.
        (
            SMALL.replace("PROJECTS\n", "VOTES\n", 1),
            "Line 8: the sections must come in the order META, PROJECTS, VOTES; VOTES comes",
        ),
        ("PROJECTS\nproject_id;cost\n1;5\n", "Line 1: the sections must come in the order"),
        # A vote for a project the file does not list.
        (SMALL.replace("3;71;3", "3;71;3,7"), r"Line 17: the vote names unknown projects \['7'\]"),
        # Broken quoting: a quote never closed, and text after a closing quote.
        (
            SMALL.replace("4;19;1,2,3", '4;"19;1,2,3'),
            "Line 18: a quoted cell is never closed",
        ),
        (SMALL.replace("1;Bench;5000", '1;"Bench"x;5000'), "Line 10: broken quoting"),
        # Other malformed lines.
        (
            SMALL.replace("3;Pond;85000", "3;Pond;lots"),
            "Line 12: the cost of project '3' is not a number",
        ),
        (SMALL.replace("project_id;name;cost", "id;name;cost"), "Line 9: the PROJECTS header"),
        (SMALL.replace("4;19;1,2,3", "4;19;1,2,3;x"), "Line 18: 4 cells under a header of 3"),
        (SMALL.replace("budget;100000", "budget;many"), "Line 6: the budget is not a number"),
        ("META\nkey;value\nbudget;1\nPROJECTS\n", "Line 4: the PROJECTS section has no header"),
    ],
)
def test_every_refusal_names_its_line(text, message):
    with pytest.raises(PabulibError, match=message):
        pabulib.parse(text)


# --- the fast reader of the VOTES section ------------------------------------------------

# What a VOTES row may become: broken in each way a file can be, or merely unusual.
ROW_CHANGES = st.sampled_from(
    [
        lambda row, first: first,  # the first row again: a repeated voter id
        lambda row, first: row + ";x;y;z;w",  # more cells than the header
        lambda row, first: "",  # a blank line
        lambda row, first: "  " + row.replace(";", " ; ") + " ",  # spaces to strip
        lambda row, first: row.replace(",", " , "),
        lambda row, first: row + ";;",  # trailing separators
        lambda row, first: "votes",  # a section name
        lambda row, first: "META",
        lambda row, first: row + ',"q"',  # a quote
        lambda row, first: row + ",zz",  # a project the file does not list
        lambda row, first: row + "," + row.rsplit(";", 1)[-1].split(",")[0],  # twice
        lambda row, first: ";" + row.split(";", 1)[-1],  # no voter id
        lambda row, first: row.split(";", 1)[0],  # only a voter id
        lambda row, first: row + ";\u00a0",
        lambda row, first: row + "\t",
    ]
)


@st.composite
def vote_sections(draw: st.DrawFn) -> str:
    """The text of a file whose VOTES rows may be broken or unusual in any of those ways,
    with any vote type and ballot limits."""
    instance = draw(pabulib_files())
    meta = dict(instance.meta) | {"budget": "100"}
    meta["vote_type"] = draw(st.sampled_from(pabulib.VOTE_TYPES))
    for key in draw(st.lists(st.sampled_from(pabulib.BALLOT_LIMITS), unique=True, max_size=2)):
        meta[key] = str(draw(st.integers(0, 4)))
    columns = instance.vote_columns
    if draw(st.booleans()):  # only the two required columns (with points, if any)
        columns = tuple(c for c in columns if c != "age")
    text = pabulib.write(
        PabulibFile(meta, instance.projects, instance.votes, instance.project_columns, columns)
    )
    head, votes = text.split("\nVOTES\n")
    header, *rows = votes.split("\n")
    for _ in range(draw(st.integers(0, 3))):
        if rows and rows[0]:
            at = draw(st.integers(0, len(rows) - 1))
            rows[at] = draw(ROW_CHANGES)(rows[at], rows[0])
    return "\n".join([f"{head}\nVOTES", header, *rows])


def _read(text: str, **options: bool) -> object:
    try:
        return pabulib._parse(text, **options)
    except PabulibError as error:
        return str(error)


@settings(max_examples=400, deadline=None, database=None)
@given(vote_sections())
def test_the_fast_vote_reader_reads_and_refuses_as_the_csv_reader_row_by_row(text):
    # Split without the CSV reader, read by whole columns: the same votes, or the same refusal
    # (the same line, the same reason) as the CSV reader and a loop over the rows.
    assert _read(text) == _read(text, plain=False, by_column=False)
    assert _read(text, plain=False) == _read(text, by_column=False)
    # (and split straight into columns, or row by row first)
    assert _read(text) == _read(text, columnar=False)


def test_the_fast_reader_notices_every_space_a_cell_is_stripped_of():
    # The VOTES rows are split without stripping their cells only when no such space is there.
    spaces = [chr(i) for i in range(0x110000) if not chr(i).strip() and chr(i) != "\n"]
    assert " " in spaces and "\u3000" in spaces
    for space in spaces:
        assert pabulib._spaced(f"1;a{space},b\n"), hex(ord(space))
    assert not pabulib._spaced("1;a,b\n2;c\n")
    assert not pabulib._spaced("1;ä,b\n")
