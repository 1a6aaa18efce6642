from samskab.polls.counting import percentages, recount


def test_it_counts_options_from_raw_votes():
    assert recount([(1, 10), (1, 11), (1, 10), (2, 20)]) == {10: 2, 11: 1, 20: 1}


def test_it_gives_percentages_in_option_order_and_zero_without_votes():
    results = percentages({10: 1, 11: 3}, [(11, "Nej"), (10, "Ja"), (12, "Ved ikke")])
    assert [(r.text, r.votes, r.percent) for r in results] == [
        ("Nej", 3, 75.0),
        ("Ja", 1, 25.0),
        ("Ved ikke", 0, 0.0),
    ]
    assert [r.percent for r in percentages({}, [(1, "Ja")])] == [0.0]
