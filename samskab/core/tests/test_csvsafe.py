from django.utils.translation import gettext_lazy

from samskab.core.csvsafe import neutralise, safe_row


def test_cells_that_start_like_a_formula_get_an_apostrophe_numbers_stay_numbers():
    assert neutralise("=1+1") == "'=1+1" and neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("-5 % skat") == "'-5 % skat" and neutralise("Grønt") == "Grønt"
    assert safe_row([3, -2, 1.5, "+45 1234", gettext_lazy("Totals")]) == [
        3,
        -2,
        1.5,
        "'+45 1234",
        "Totals",
    ]


def test_an_empty_cell_stays_empty():
    assert safe_row([None, "", 0]) == [None, "", 0]
