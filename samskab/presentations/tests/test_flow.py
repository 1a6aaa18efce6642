"""The order and branches of a presentation as a graph (pure, no database)."""

from samskab.presentations.flow import END, MISSING, NO_EXIT, FlowStep, following, problems


def test_a_straight_presentation_has_no_problems():
    steps = [FlowStep("a"), FlowStep("b"), FlowStep("c")]
    assert problems(steps) == []
    assert following(steps, 0) == "b"
    assert following(steps, 2) == END


def test_a_branch_to_a_missing_step_is_named():
    steps = [FlowStep("a", branches={"1": "gone"}), FlowStep("b")]
    found = problems(steps)
    assert [(p.kind, p.key, p.target) for p in found] == [(MISSING, "a", "gone")]


def test_a_loop_with_no_exit_is_found_and_one_with_an_exit_is_not():
    loop = [FlowStep("a"), FlowStep("b", next_key="c"), FlowStep("c", next_key="b")]
    assert {(p.kind, p.key) for p in problems(loop)} == {
        (NO_EXIT, "a"),
        (NO_EXIT, "b"),
        (NO_EXIT, "c"),
    }
    # The same loop, but an answer at c leads out of it.
    with_exit = [
        FlowStep("a"),
        FlowStep("b", next_key="c"),
        FlowStep("c", next_key="b", branches={"2": END}),
    ]
    assert problems(with_exit) == []


def test_a_required_question_branched_on_every_option_does_not_take_its_default_way():
    steps = [
        FlowStep("q", next_key="q", branches={"1": "q", "2": "q"}, all_branched=True),
        FlowStep("z"),
    ]
    assert {p.kind for p in problems(steps)} == {NO_EXIT}


def test_following_takes_the_answer_s_branch_and_ends_rather_than_strand():
    steps = [FlowStep("a", branches={"1": "c", "2": "nowhere"}), FlowStep("b"), FlowStep("c")]
    assert following(steps, 0, 1) == "c"
    assert following(steps, 0, "1") == "c"
    assert following(steps, 0, [3, 1]) == "c"
    assert following(steps, 0, 3) == "b"
    assert following(steps, 0, 2) == END
