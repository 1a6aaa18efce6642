"""The ballot's and project page's rough edges a citizen found in the December walk
(walk-citizen.md findings 25 and 26)."""

from pathlib import Path

import pytest
from django.urls import reverse

from samskab.budgets.models import Rule
from samskab.budgets.tests.factories import (
    BudgetFactory,
    HeadingFactory,
    ProjectFactory,
    ResidentFactory,
)

pytestmark = pytest.mark.django_db


def ballot_url(heading):
    return reverse("budgets:ballot", args=[heading.group.budget_id, heading.pk])


def test_the_over_budget_refusal_names_the_currency(client):
    heading = HeadingFactory(amount=1000)
    a, b = ProjectFactory(heading=heading, price=700), ProjectFactory(heading=heading, price=600)
    client.force_login(ResidentFactory())
    page = client.post(ballot_url(heading), {"project": [a.pk, b.pk]}).content.decode()
    assert "Your choices cost 1.300 DKK, more than the 1.000 DKK this heading has." in page


def test_the_calculate_button_is_marked_for_the_script_to_remove(client):
    heading = HeadingFactory()
    ProjectFactory(heading=heading)
    client.force_login(ResidentFactory())
    page = client.get(ballot_url(heading)).content.decode()
    assert 'value="calculate" data-ballot-calculate' in page
    script = Path(__file__).resolve().parents[2] / "static/samskab/budgets/ballot.js"
    assert "data-ballot-calculate" in script.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("rule", "words"),
    [(Rule.MES_COST_ADD1, "Method of Equal Shares"), (Rule.GREEDY, "the most votes")],
)
def test_the_budget_page_explains_how_the_votes_are_counted(client, rule, words):
    budget = BudgetFactory(rule=rule)
    heading = HeadingFactory(group__budget=budget)
    page = client.get(budget.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="how-counted-heading">How the votes are counted<' in page
    assert words in page
    client.force_login(ResidentFactory())
    ballot = client.get(ballot_url(heading), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="{budget.get_absolute_url()}#how-counted"' in ballot


def test_the_project_page_names_the_place_once(client):
    from django.contrib.contenttypes.models import ContentType

    from samskab.budgets.demo import demo_map
    from samskab.budgets.maps import budget_map_upload
    from samskab.places.models import Place

    budget = BudgetFactory()
    project = ProjectFactory(heading=HeadingFactory(group__budget=budget, name="Midtbyen"))
    HeadingFactory(group__budget=budget, name="Projekter for hele kommunen")
    budget_map_upload(budget=budget, text=demo_map(), property_name="heading")
    Place.objects.create(
        content_type=ContentType.objects.get_for_model(project),
        object_id=project.pk,
        latitude=56.157,
        longitude=10.208,
        address="Byparken ved legepladsen",
    )
    page = client.get(project.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The project's place on the map." in page  # the map is there, captioned
    assert page.count("Byparken ved legepladsen") == 1  # and the address only in the facts
    assert '<dl class="budget-facts">' in page
