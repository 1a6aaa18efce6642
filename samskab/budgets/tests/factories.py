"""Factories for a citizens' budget: a budget with one group, headings, projects on the ballot."""

import factory

from samskab.accounts.models import VerificationLevel
from samskab.accounts.tests.factories import UserFactory
from samskab.budgets.models import Budget, Group, Heading, Phase, Project


class ResidentFactory(UserFactory):
    """A citizen whose residence is verified."""

    verification_level = VerificationLevel.RESIDENT


class BudgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Budget

    title = factory.Sequence(lambda n: f"Borgerbudget {2027 + n}")
    phase = Phase.BALLOTING
    is_published = True


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    budget = factory.SubFactory(BudgetFactory)
    name = factory.Sequence(lambda n: f"Gruppe {n}")


class HeadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Heading

    group = factory.SubFactory(GroupFactory)
    name = factory.Sequence(lambda n: f"Område {n}")
    amount = 1000


class ProjectFactory(factory.django.DjangoModelFactory):
    """A priced project on the ballot."""

    class Meta:
        model = Project

    heading = factory.SubFactory(HeadingFactory)
    title = factory.Sequence(lambda n: f"Projekt {n}")
    description = "En bænk ved søen."
    status = Project.Status.ON_BALLOT
    price = 400


def census_person(identifier: str, *, born=None, postal_code: str = "8000", user=None):
    """A resident in the census (by the keyed hash of `identifier`), and, given `user`, that
    user's account verified as this resident. Returns the hash."""
    import datetime

    from django.conf import settings

    from samskab.accounts.census import hash_identifier
    from samskab.accounts.models import CensusImport, CensusRecord, ResidenceVerification

    census = CensusImport.objects.order_by("-pk").first() or CensusImport.objects.create(
        file_name="census.csv"
    )
    digest = hash_identifier(identifier, pepper=settings.CENSUS_PEPPER)
    CensusRecord.objects.create(
        identifier_hash=digest,
        birth_date=born or datetime.date(1980, 5, 1),
        postal_code=postal_code,
        census_import=census,
    )
    if user is not None:
        ResidenceVerification.objects.create(
            user=user, identifier_hash=digest, postal_code=postal_code
        )
    return digest


def count_and_publish(budget, *, by=None):
    """Close the vote, count it and publish the results, as staff would on the count page
    (with the worker run at once). Returns the published HeadingResult rows."""
    from django.db import transaction

    from samskab.accounts.roles import Role
    from samskab.accounts.tests.factories import StaffFactory
    from samskab.budgets.models import HeadingResult
    from samskab.budgets.services import budget_move
    from samskab.budgets.tallying import tally_confirm, tally_request, tally_run

    by = by or StaffFactory(role=Role.EDITOR)
    if budget.phase == Phase.BALLOTING:
        budget_move(budget=budget, phase=Phase.REVIEWING_BALLOTS)
    with transaction.atomic():  # the worker's task is queued on commit; run it here instead
        tally = tally_request(budget=budget, user=by)
        tally_run(tally_id=tally.pk)
    tally.refresh_from_db()
    tally_confirm(tally=tally, user=by)
    budget.refresh_from_db()
    return list(HeadingResult.objects.filter(heading__group__budget=budget).order_by("heading_id"))


def assigned_valuator(project, valuator=None):
    """A valuator (a new one unless given) whom an editor asked to assess `project`; written
    directly, so nobody is e-mailed. Returns the valuator."""
    from samskab.accounts.roles import Role
    from samskab.accounts.tests.factories import StaffFactory
    from samskab.budgets.models import ValuatorAssignment

    valuator = valuator or StaffFactory(role=Role.VALUATOR)
    ValuatorAssignment.objects.create(project=project, valuator=valuator)
    return valuator
