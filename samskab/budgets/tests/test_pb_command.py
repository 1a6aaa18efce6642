"""`samskab pb tally` and `samskab pb export`."""

import json
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from samskab import cli
from samskab.budgets import pabulib
from samskab.budgets.services import ballot_save
from samskab.budgets.tests.factories import HeadingFactory, ProjectFactory, ResidentFactory
from samskab.budgets.tests.test_wieliczka import _find


def _run(*args) -> str:
    out = StringIO()
    call_command("pb", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def wieliczka_path():
    path = _find()
    if path is None:
        pytest.skip("poland_wieliczka_2023_green-budget.pb not found (set SAMSKAB_SHARED)")
    return path


def test_tally_reproduces_the_official_wieliczka_result(wieliczka_path):
    result = json.loads(
        _run(
            "tally",
            str(wieliczka_path),
            "--rule=mes",
            "--utility=cost",
            "--completion=add1",
            "--format=json",
        )
    )
    official = pabulib.read(wieliczka_path).selected()
    assert sorted(result["selected"]) == sorted(official)
    assert len(result["selected"]) == 30
    assert result["cost"] == 995_079


def test_tally_by_greedy_gives_another_result_in_plain_text(wieliczka_path):
    text = _run("tally", str(wieliczka_path), "--rule=greedy")
    assert text.startswith("Selected (")
    assert "of 1000000" in text
    official = set(pabulib.read(wieliczka_path).selected())
    chosen = set(text.splitlines()[0].split(": ", 1)[1].split())
    assert chosen != official


def test_tally_without_add1_spends_less(wieliczka_path):
    plain = json.loads(_run("tally", str(wieliczka_path), "--completion=none", "--format=json"))
    assert plain["cost"] < 995_079


def test_tally_names_the_line_of_a_vote_for_an_unknown_project(tmp_path):
    bad = tmp_path / "bad.pb"
    bad.write_text(
        "META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote\n1;7\n"
    )
    with pytest.raises(CommandError, match="Line 9: the vote names unknown projects"):
        _run("tally", str(bad))


def test_tally_refuses_a_negative_cost(tmp_path):
    bad = tmp_path / "bad.pb"
    bad.write_text(
        "META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\n1;-5\nVOTES\nvoter_id;vote\n1;1\n"
    )
    with pytest.raises(CommandError, match="Line 6: project '1' has a negative cost: -5"):
        _run("tally", str(bad))


def test_tally_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        _run("tally", str(tmp_path / "nope.pb"))


@pytest.mark.django_db
def test_export_writes_the_stored_ballots_as_a_pb_file_that_counts_the_same(tmp_path):
    heading = HeadingFactory(amount=1000)
    a, b = ProjectFactory(heading=heading, price=600), ProjectFactory(heading=heading, price=300)
    for choice in ([a.pk], [a.pk, b.pk], [b.pk]):
        ballot_save(heading=heading, user=ResidentFactory(), project_ids=choice)
    target = tmp_path / "out.pb"
    _run("export", str(heading.group.budget_id), str(heading.pk), "-o", str(target))
    instance = pabulib.read(target)
    assert instance.budget == 1000
    assert len(instance.votes) == 3
    assert {p.project_id: p.cost for p in instance.projects} == {str(a.pk): 600, str(b.pk): 300}
    assert json.loads(_run("tally", str(target), "--format=json"))["cost"] == 900


@pytest.mark.django_db
def test_export_refuses_a_heading_of_another_budget():
    heading = HeadingFactory()
    other = HeadingFactory()
    with pytest.raises(CommandError, match="No such heading"):
        _run("export", str(other.group.budget_id), str(heading.pk))


TIE = """META
key;value
budget;1000
PROJECTS
project_id;cost
1;700
2;600
10;700
VOTES
voter_id;vote
1;1,2,10
2;1,2,10
"""


@pytest.mark.parametrize("rule", ["greedy", "mes"])
@pytest.mark.parametrize(
    ("tie_break", "winner"),
    [
        (None, "2"),  # the default: lower cost first
        ("cost-votes", "2"),
        ("id", "1"),  # the lower id as text: "1" < "10" < "2"
        ("consul", "10"),  # equal votes, then the higher id (numerically)
    ],
)
def test_tally_breaks_a_constructed_tie_as_asked(tmp_path, rule, tie_break, winner):
    # Three projects with the same voters: equal votes, and under MES equal prices per unit.
    path = tmp_path / "tie.pb"
    path.write_text(TIE)
    args = ["tally", str(path), f"--rule={rule}", "--format=json"]
    if tie_break:
        args.append(f"--tie-break={tie_break}")
    assert json.loads(_run(*args))["selected"] == [winner]


def test_tally_refuses_an_unknown_tie_break(tmp_path):
    path = tmp_path / "tie.pb"
    path.write_text(TIE)
    with pytest.raises(CommandError, match="invalid choice"):
        _run("tally", str(path), "--tie-break=coin")


CUMULATIVE_FILE = """META
key;value
budget;10
vote_type;cumulative
max_sum_points;5
rule;greedy
PROJECTS
project_id;cost;selected
a;6;0
b;5;1
c;1;1
VOTES
voter_id;vote;points
1;a,b;3,2
2;b;5
3;"a,c";"1,3"
"""


def test_tally_counts_a_cumulative_file_by_its_stated_rule(tmp_path):
    path = tmp_path / "cumulative.pb"
    path.write_text(CUMULATIVE_FILE)
    result = json.loads(_run("tally", str(path), "--format=json"))
    assert result["selected"] == ["b", "c"]
    assert result["reproduces"] is True
    text = _run("tally", str(path), "--rule=greedy-no-skip")
    assert "Selected (1): b" in text
    assert "not selected here c" in text


def test_tally_refuses_points_over_the_maximum_with_the_line(tmp_path):
    path = tmp_path / "over.pb"
    path.write_text(CUMULATIVE_FILE.replace("2;b;5", "2;b;6"))
    with pytest.raises(CommandError, match="Line 15: 6 points in all, more than max_sum_points"):
        _run("tally", str(path))


def test_verify_reports_every_file_of_a_folder(tmp_path, wieliczka_path):
    (tmp_path / "wieliczka.pb").write_bytes(wieliczka_path.read_bytes())
    (tmp_path / "cumulative.pb").write_text(CUMULATIVE_FILE)
    (tmp_path / "wrong.pb").write_text(CUMULATIVE_FILE.replace("c;1;1", "c;1;0"))
    (tmp_path / "unstated.pb").write_text(CUMULATIVE_FILE.replace("rule;greedy", "rule;unknown"))
    rows = {r["file"]: r for r in json.loads(_run("verify", str(tmp_path), "--format=json"))}
    assert rows["wieliczka.pb"]["reproduces"] is True
    assert rows["cumulative.pb"]["reproduces"] is True
    assert rows["wrong.pb"]["extra"] == ["c"]
    assert "does not state the rule" in rows["unstated.pb"]["refused"]
    assert "2 of 4 files reproduce" in _run("verify", str(tmp_path))


def _console(capsys, *args) -> tuple[int, str, str]:
    """`samskab pb ...` as typed at the console (the Django-free path for `tally`)."""
    with pytest.raises(SystemExit) as exit_:
        cli.main(["pb", *args])
    captured = capsys.readouterr()
    return exit_.value.code, captured.out, captured.err


@pytest.mark.parametrize(
    "extra", [["--format=json"], [], ["--rule=greedy"], ["--rule=mes", "--completion=none"]]
)
def test_the_console_tally_prints_what_the_management_command_prints(capsys, wieliczka_path, extra):
    status, out, _err = _console(capsys, "tally", str(wieliczka_path), *extra)
    assert status == 0
    assert out == _run("tally", str(wieliczka_path), *extra)


def test_the_console_tally_refuses_as_the_management_command_does(capsys, tmp_path):
    bad = tmp_path / "bad.pb"
    bad.write_text(
        "META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\nA;-5\nVOTES\nvoter_id;vote\n1;A\n"
    )
    status, out, err = _console(capsys, "tally", str(bad))
    assert (status, out) == (1, "")
    with pytest.raises(CommandError) as error:
        _run("tally", str(bad))
    assert err == f"CommandError: {error.value}\n"
    assert "negative cost" in err


def test_the_console_tally_starts_no_django(wieliczka_path):
    # The whole point of the separate path: a count should not pay for Django's start.
    code = (
        "import sys\nfrom samskab.cli import main\n"
        "try:\n    main(['pb', 'tally', sys.argv[1], '--format=json'])\n"
        "except SystemExit as e:\n    assert e.code == 0\n"
        "assert 'django' not in sys.modules, 'django was imported'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(wieliczka_path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["cost"] == 995_079
