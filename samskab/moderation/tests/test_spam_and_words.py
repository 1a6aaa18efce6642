"""The pure parts of moderation: the spam score and restricted-word matching."""

from datetime import timedelta

from samskab.moderation import spam
from samskab.moderation.words import Rule, compile_pattern, matches


def test_an_ordinary_post_from_an_established_account_is_not_held():
    result = spam.score(
        spam.Post(text="Jeg synes cykelstien er en god idé.", account_age=timedelta(days=90))
    )
    assert not result.holds


def test_many_links_hold_a_post():
    text = " ".join(f"https://spam{i}.example/køb" for i in range(5))
    result = spam.score(spam.Post(text=text, account_age=timedelta(days=90)))
    assert result.holds
    assert "links" in result.reasons


def test_repeating_the_same_text_holds_it():
    text = "Stem på mig til valget, besøg min side"
    result = spam.score(
        spam.Post(text=text, recent_texts=(text + "!", "andet"), account_age=timedelta(days=5))
    )
    assert "repetition" in result.reasons
    assert result.holds


def test_a_burst_of_posts_from_a_new_account_is_held():
    result = spam.score(
        spam.Post(text="hej", posts_last_10_minutes=7, account_age=timedelta(minutes=10))
    )
    assert result.holds
    assert set(result.reasons) >= {"rate", "new account"}


def test_a_link_from_a_viewer_without_account_alone_is_not_enough_to_hold():
    result = spam.score(spam.Post(text="se https://aarhus.dk", has_account=False))
    assert not result.holds


def test_a_wildcard_at_the_end_matches_inflections():
    assert compile_pattern("idiot*").search("I er nogle idioter")
    assert not compile_pattern("idiot*").search("en halvidiot")


def test_a_wildcard_at_the_start_matches_compounds_and_danish_letters_are_letters():
    assert compile_pattern("*svin").search("dit dumsvin")
    assert not compile_pattern("svin").search("svinekød")
    assert not compile_pattern("ål").search("målet")


def test_matching_ignores_case_and_puts_rejecting_rules_first():
    rules = [Rule("fjols", "hold"), Rule("SKIDT*", "reject")]
    found = matches("Fjols og skidtet", rules)
    assert [r.action for r in found] == ["reject", "hold"]


def test_an_empty_or_star_only_pattern_matches_nothing():
    assert matches("alt muligt", [Rule("*", "reject"), Rule("  ", "hold")]) == []
