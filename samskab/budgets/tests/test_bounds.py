"""Amounts beyond any budget (security review L3) are refused where they come in, counting
never crashes on them, and a refused ballot never names a project the voter may not see (M5)."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, with_totp
from samskab.budgets import pabulib
from samskab.budgets.models import Phase
from samskab.budgets.services import BudgetRefused, ballot_check, project_valuate
from samskab.budgets.tests.factories import (
    BudgetFactory,
    HeadingFactory,
    ProjectFactory,
    assigned_valuator,
)

HUGE = "9" * 400
FILE = (
    "META\nkey;value\nbudget;{budget}\n"
    "PROJECTS\nproject_id;cost\n1;{cost}\n"
    "VOTES\nvoter_id;vote\n1;1\n"
)


@pytest.mark.parametrize(
    ("budget", "cost", "message"),
    [
        (HUGE, "5", "Line 3: the budget is too large"),
        ("1e308", "5", "Line 3: the budget is too large"),
        (str(10**15), "5", "Line 3: the budget is too large"),
        ("100", HUGE, "Line 6: the cost of project '1' is too large"),
        ("100", "1e300", "Line 6: the cost of project '1' is too large"),
    ],
)
def test_the_importer_refuses_amounts_of_ten_to_the_fifteenth_or_more(budget, cost, message):
    with pytest.raises(pabulib.PabulibError, match=message):
        pabulib.parse(FILE.format(budget=budget, cost=cost))


def test_the_largest_amount_allowed_is_read():
    instance = pabulib.parse(FILE.format(budget=10**15 - 1, cost=10**15 - 1))
    assert instance.budget == 10**15 - 1


def test_pb_tally_gives_a_clean_error_for_a_400_digit_budget(tmp_path):
    bad = tmp_path / "huge.pb"
    bad.write_text(FILE.format(budget=HUGE, cost="5"))
    with pytest.raises(CommandError, match="the budget is too large"):
        call_command("pb", "tally", str(bad), stdout=io.StringIO())


def test_pb_tally_turns_an_overflow_in_counting_into_a_clean_error(tmp_path, monkeypatch):
    from samskab.budgets import pabulib

    def overflow(*args, **kwargs):
        raise OverflowError("int too large to convert to float")

    monkeypatch.setattr(pabulib, "equal_shares", overflow)
    good = tmp_path / "good.pb"
    good.write_text(FILE.format(budget="100", cost="5"))
    with pytest.raises(CommandError, match="too large to count"):
        call_command("pb", "tally", str(good), "--rule=mes", stdout=io.StringIO())


@pytest.mark.django_db
def test_a_valuator_cannot_price_a_project_at_ten_to_the_fifteenth():
    project = ProjectFactory(heading__group__budget__phase=Phase.VALUATING, price=None)
    with pytest.raises(BudgetRefused, match="too large"):
        project_valuate(
            project=project,
            user=assigned_valuator(project),
            feasible=True,
            feasibility_explanation="Kan lade sig gøre.",
            price=10**15,
            price_explanation="Tilbud.",
        )


@pytest.mark.django_db
def test_the_valuation_form_refuses_a_price_beyond_64_bits(client):
    project = ProjectFactory(heading__group__budget__phase=Phase.VALUATING, price=None)
    valuator = assigned_valuator(project)
    with_totp(valuator)
    client.force_login(valuator)
    session = client.session
    session["samskab_staff_mfa"] = valuator.pk
    session.save()
    response = client.post(
        reverse("budgets:valuation", args=[project.pk]),
        {
            "feasible": "1",
            "feasibility_explanation": "Ja.",
            "price": str(2**70),
            "price_explanation": "Tilbud.",
        },
    )
    assert response.status_code == 400
    project.refresh_from_db()
    assert project.price is None


@pytest.mark.django_db
def test_the_admin_refuses_a_heading_amount_of_ten_to_the_fifteenth(client):
    heading = HeadingFactory(group__budget__phase=Phase.INFORMING)
    editor = StaffFactory(role=Role.EDITOR)
    with_totp(editor)
    client.force_login(editor)
    response = client.post(
        reverse("admin:budgets_heading_change", args=[heading.pk]),
        {
            "group": heading.group_id,
            "name": heading.name,
            "amount": str(10**15),
            "geojson": "",
            "ballot_style": "",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    heading.refresh_from_db()
    assert heading.amount == 1000


@pytest.mark.django_db
def test_a_ballot_refusal_does_not_name_a_project_of_another_heading(client):
    heading = HeadingFactory()
    hidden = ProjectFactory(
        title="HEMMELIGT projekt", heading__group__budget=BudgetFactory(is_published=False)
    )
    with pytest.raises(BudgetRefused) as refusal:
        ballot_check(heading, [hidden.pk])
    assert "HEMMELIGT" not in str(refusal.value)
    assert str(hidden.pk) in str(refusal.value)
