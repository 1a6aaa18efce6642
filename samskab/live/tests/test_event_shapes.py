"""Event shapes: every channel kind declares what it carries, and publishing checks it."""

import pytest

from samskab import live
from samskab.live.channels import (
    _kinds,
    declare_events,
    events_of,
    register_channel,
    unregister_channel,
)
from samskab.live.events import shape_errors

TALLY = {"poll": int, "questions": [{"id": int, "percent": float, "note?": str}]}


def test_a_conforming_event_has_no_errors():
    data = {"poll": 1, "questions": [{"id": 2, "percent": 50}, {"id": 3, "percent": 12.5}]}
    assert shape_errors(TALLY, data) == []


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"questions": []}, "data.poll is missing"),
        ({"poll": "1", "questions": []}, "data.poll is str, not int"),
        ({"poll": True, "questions": []}, "data.poll is bool, not int"),
        ({"poll": 1, "questions": {}}, "data.questions is object, not a list"),
        ({"poll": 1, "questions": [{"id": 1}]}, "data.questions[0].percent is missing"),
        ({"poll": 1, "questions": [{"id": 1, "percent": 1, "note": 2}]}, "note is int, not str"),
        ({"poll": 1, "questions": [], "secret": "x"}, "data.secret is not declared"),
        ([], "data is list, not an object"),
    ],
)
def test_a_nonconforming_event_says_what_is_wrong(data, error):
    errors = shape_errors(TALLY, data)
    assert any(error in e for e in errors), errors


def test_any_of_and_null():
    shape = {"speaker": ({"name": str}, None)}
    assert shape_errors(shape, {"speaker": None}) == []
    assert shape_errors(shape, {"speaker": {"name": "Anne"}}) == []
    assert shape_errors(shape, {"speaker": "Anne"}) == [
        "data.speaker is str, not any of object | null"
    ]


@pytest.fixture
def checked_kind():
    register_channel("shapetest", public=True, events={"tally": TALLY})
    yield "shapetest:1"
    unregister_channel("shapetest")


def test_publishing_refuses_an_undeclared_event_or_a_wrong_shape(checked_kind):
    with pytest.raises(ValueError, match="declares no 'votes' event"):
        live.publish(checked_kind, "votes", {})
    with pytest.raises(ValueError, match=r"shapetest/tally .* data.poll is missing"):
        live.publish(checked_kind, "tally", {"questions": []})
    assert live.publish(checked_kind, "tally", {"poll": 1, "questions": []})
    assert live.publish(checked_kind, "close")  # always allowed: ends the streams


def test_another_app_may_add_an_event_but_not_redeclare_one(checked_kind):
    declare_events("shapetest", {"note": {"text": str}})
    declare_events("shapetest", {"note": {"text": str}})  # the same again is harmless
    with pytest.raises(ValueError, match="declared already"):
        declare_events("shapetest", {"note": {"text": int}})
    assert live.publish(checked_kind, "note", {"text": "hej"})


def test_every_channel_kind_of_the_product_declares_its_events():
    """So the browser code and the services share one written contract (docs/live.md).
    `demo` is the developers' page and the kind tests publish anything on."""
    undeclared = sorted(kind for kind in _kinds if kind != "demo" and events_of(kind) is None)
    assert undeclared == []
