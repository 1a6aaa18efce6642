"""Re-anchoring: exact, moved, approximate, or about an earlier version."""

from samskab.hearings.anchoring import Aligner, Where, context_of, reanchor

OLD = {
    "p1-stk1": "Formålet er at sikre grønne områder langs åen. Området skal være åbent for alle.",
    "p2-stk1": "Bygninger må højst være 8,5 meter høje. Tage skal være røde.",
    "p2-stk2": "Der må ikke opføres carporte.",
}


def where(anchor: str, quote: str) -> Where:
    text = OLD[anchor]
    start = text.index(quote)
    prefix, suffix = context_of(text, start, start + len(quote))
    return Where(anchor, start, start + len(quote), quote, prefix, suffix)


def test_an_unchanged_passage_stays_where_it_was():
    spot = reanchor(where("p2-stk1", "Tage skal være røde."), Aligner(OLD, dict(OLD)))
    assert (spot.anchor, spot.state) == ("p2-stk1", "exact")


def test_a_passage_whose_paragraph_grew_is_found_exactly_further_on():
    new = dict(
        OLD,
        **{"p2-stk1": "Nye regler: Bygninger må højst være 8,5 meter høje. Tage skal være røde."},
    )
    spot = reanchor(where("p2-stk1", "Tage skal være røde."), Aligner(OLD, new))
    assert spot.state == "exact"
    assert new["p2-stk1"][spot.start : spot.end] == "Tage skal være røde."


def test_a_renumbered_paragraph_takes_its_passages_along():
    new = {"p1-stk1": OLD["p1-stk1"], "p3-stk1": OLD["p2-stk1"], "p3-stk2": OLD["p2-stk2"]}
    spot = reanchor(where("p2-stk2", "opføres carporte"), Aligner(OLD, new))
    assert (spot.anchor, spot.state) == ("p3-stk2", "exact")


def test_a_reworded_passage_is_found_approximately():
    new = dict(OLD, **{"p2-stk1": "Bygninger må højst være 8,5 meter høje. Tagene skal være røde."})
    spot = reanchor(where("p2-stk1", "Tage skal være røde."), Aligner(OLD, new))
    assert spot.state == "approximate"
    assert "skal være røde" in new["p2-stk1"][spot.start : spot.end]


def test_a_passage_whose_text_is_gone_is_about_an_earlier_version():
    new = dict(OLD, **{"p2-stk2": "Carporte i sort træ er tilladt, hvis naboerne er enige om det."})
    spot = reanchor(where("p2-stk2", "Der må ikke opføres carporte."), Aligner(OLD, new))
    assert spot.state == "earlier"
    gone = {k: v for k, v in OLD.items() if k != "p2-stk2"}
    assert reanchor(where("p2-stk2", "Der må ikke"), Aligner(OLD, gone)).state == "earlier"
