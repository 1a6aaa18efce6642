"""Reading a survey's answers from a submitted form, and laying questions out for it."""

from typing import Any

from samskab.surveys.schema import SCALES, Kind, QuestionSpec


def answers_from_post(specs: list[QuestionSpec], data) -> dict[str, Any]:
    """Raw answers (as schema.check_answers takes them) from the form's fields."""
    raw: dict[str, Any] = {}
    for q in specs:
        name = f"q{q.id}"
        if q.kind == Kind.MULTIPLE:
            raw[str(q.id)] = data.getlist(name)
        elif q.kind == Kind.RANKING:
            raw[str(q.id)] = _ranking(q, data)
        elif q.kind == Kind.MATRIX:
            raw[str(q.id)] = {
                str(pk): data.get(f"{name}_r{pk}") for pk, _t in q.rows if data.get(f"{name}_r{pk}")
            }
        else:
            raw[str(q.id)] = data.get(name, "")
    return raw


def _ranking(q: QuestionSpec, data) -> list:
    """Items ordered by the places typed in; a missing or repeated place leaves it short."""
    places: dict[int, int] = {}
    for pk, _text in q.choices:
        value = (data.get(f"q{q.id}_{pk}") or "").strip()
        if value.isdigit():
            places[pk] = int(value)
    if not places:
        return []
    if sorted(places.values()) != list(range(1, len(q.choices) + 1)):
        # Short of a full ranking: check_answers refuses it as incomplete.
        return list(places)[: len(q.choices) - 1] or ["?"]
    return sorted(places, key=places.get)


def _plain(number: float | None) -> int | float | None:
    return int(number) if number is not None and number.is_integer() else number


def question_blocks(questions, specs, raw: dict, errors: dict[int, str], typed=None) -> list[dict]:
    """What the template needs per question: kind, texts, options with their state.
    `typed`: the form sent, so a refused ranking shows the places as they were typed."""
    blocks = []
    for question, q in zip(questions, specs, strict=True):
        value = raw.get(str(q.id))
        chosen = {str(v) for v in value} if isinstance(value, list) else {str(value)}
        block: dict[str, Any] = {
            "question": question,
            "spec": q,
            "name": f"q{q.id}",
            "error": errors.get(q.id, ""),
            "value": value if isinstance(value, str) else "",
            "options": [
                {"pk": pk, "text": text, "checked": str(pk) in chosen} for pk, text in q.choices
            ],
        }
        if q.kind == Kind.NUMBER:
            # Shown as the editor typed them: 120, not the stored float 120.0.
            block["minimum"], block["maximum"] = _plain(q.minimum), _plain(q.maximum)
        if q.kind in SCALES:
            low, high = SCALES[q.kind]
            block["low"], block["high"] = low, high
            block["options"] = [
                {"pk": point, "text": str(point), "checked": str(point) in chosen}
                for point in range(low, high + 1)
            ]
        if q.kind == Kind.RANKING:
            places = {}
            if isinstance(value, list):
                places = {str(pk): place for place, pk in enumerate(value, start=1)}
            for option in block["options"]:
                option["place"] = places.get(str(option["pk"]), "")
                if typed is not None:
                    option["place"] = typed.get(f"{block['name']}_{option['pk']}", "").strip()
            block["places"] = len(q.choices)
        if q.kind == Kind.MATRIX:
            answered = value if isinstance(value, dict) else {}
            block["rows"] = [
                {
                    "pk": pk,
                    "text": text,
                    "columns": [
                        {
                            "pk": cpk,
                            "text": ctext,
                            "checked": str(answered.get(str(pk))) == str(cpk),
                        }
                        for cpk, ctext in q.choices
                    ],
                }
                for pk, text in q.rows
            ]
        blocks.append(block)
    return blocks
