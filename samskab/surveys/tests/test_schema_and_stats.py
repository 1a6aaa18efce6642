"""The pure modules: answer checking, conditions, statistics, formula neutralising."""

from samskab.core.csvsafe import neutralise
from samskab.surveys.schema import Kind, QuestionSpec, check_answers
from samskab.surveys.stats import question_stats

COLOUR = QuestionSpec(1, Kind.SINGLE, "Colour", required=True, choices=[(10, "Red"), (11, "Blue")])
WHY_BLUE = QuestionSpec(2, Kind.TEXT, "Why blue?", required=True, show_if=(1, 11))
AGE = QuestionSpec(3, Kind.NUMBER, "Age", minimum=0, maximum=120)
SCALE = QuestionSpec(4, Kind.SCALE_10, "Score")
RANK = QuestionSpec(5, Kind.RANKING, "Rank", choices=[(20, "A"), (21, "B"), (22, "C")])
GRID = QuestionSpec(
    6,
    Kind.MATRIX,
    "Grid",
    required=True,
    choices=[(30, "Yes"), (31, "No")],
    rows=[(40, "X"), (41, "Y")],
)
ALL = [COLOUR, WHY_BLUE, AGE, SCALE, RANK, GRID]
GRID_OK = {"40": 30, "41": 31}


def test_it_requires_required_questions():
    checked = check_answers(ALL, {"6": GRID_OK})
    assert checked.errors == {1: "required"}


def test_a_conditional_question_counts_only_when_shown():
    hidden = check_answers(ALL, {"1": "10", "2": "because", "6": GRID_OK})
    assert hidden.ok and "2" not in hidden.answers  # the hidden answer is dropped
    shown = check_answers(ALL, {"1": "11", "6": GRID_OK})
    assert shown.errors == {2: "required"}


def test_it_refuses_values_out_of_range_and_foreign_choices():
    checked = check_answers(ALL, {"1": "99", "3": "121", "4": "11", "5": [20, 21], "6": {"40": 30}})
    assert checked.errors == {
        1: "not_a_choice",
        3: "out_of_range",
        4: "out_of_range",
        5: "incomplete_ranking",
        6: "incomplete_matrix",
    }


def test_it_reads_danish_decimal_commas_and_refuses_words():
    assert check_answers([AGE], {"3": "42,5"}).answers == {"3": 42.5}
    assert check_answers([AGE], {"3": "fyrre"}).errors == {3: "not_a_number"}
    assert check_answers([AGE], {"3": "nan"}).errors == {3: "not_a_number"}


def test_statistics_count_average_and_rank():
    answers = [
        {"1": 10, "3": 20, "4": 7, "5": [21, 20, 22]},
        {"1": 11, "3": 40, "4": 9, "5": [21, 22, 20]},
        {"1": 10},
    ]
    colour = question_stats(COLOUR, answers)
    assert [(c["label"], c["count"], c["percent"]) for c in colour["counts"]] == [
        ("Red", 2, 66.7),
        ("Blue", 1, 33.3),
    ]
    age = question_stats(AGE, answers)
    assert (age["answered"], age["mean"], age["median"]) == (2, 30, 30.0)
    assert question_stats(SCALE, answers)["counts"][9]["count"] == 1
    ranks = question_stats(RANK, answers)["average_position"]
    assert [(r["label"], r["average"]) for r in ranks] == [("B", 1.0), ("A", 2.5), ("C", 2.5)]
    grid = question_stats(GRID, [{"6": GRID_OK}, {"6": {"40": 31, "41": 31}}])["matrix"]
    assert [c["count"] for c in grid[1]["counts"]] == [0, 2]


def test_formula_like_cells_get_an_apostrophe():
    for text in ("=cmd()", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(text) == "'" + text
    assert neutralise("Åse") == "Åse" and neutralise(-5) == -5


def test_controls_and_lone_surrogates_are_dropped_from_text_so_postgresql_and_exports_take_it():
    why = QuestionSpec(2, Kind.TEXT, "Why?")
    checked = check_answers([why], {"2": "cykel\x00sti\x1b \ud800\x0bnæste\tlinje"})
    assert checked.answers == {"2": "cykelsti \nnæste\tlinje"}


def test_a_text_as_long_as_the_browser_allows_is_accepted_with_its_line_ends():
    why = QuestionSpec(2, Kind.TEXT, "Why?")
    typed = "\r\n".join(["x" * 99] * 50)  # 4,999 characters as the textarea counts them
    assert check_answers([why], {"2": typed}).answers == {"2": typed.replace("\r\n", "\n")}
    assert check_answers([why], {"2": typed + "xx"}).errors == {2: "too_long"}
