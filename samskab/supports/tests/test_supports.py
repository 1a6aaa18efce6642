"""Supports on any target: one per person, the target's rule and limit hook, a counter that
equals a recount (also under concurrency, on PostgreSQL), and the one support button.

The targets are the test suite's ideas (core/tests/kernelapp: verified residents support
open ideas, at most two per box) and budgets' projects."""

import threading

import pytest
from django.db import IntegrityError, connection
from django.urls import reverse

from samskab.accounts.tests.factories import UserFactory
from samskab.budgets.models import Phase, Project
from samskab.budgets.tests.factories import HeadingFactory, ProjectFactory, ResidentFactory
from samskab.core.tests.kernelapp.models import Idea, IdeaBox
from samskab.supports import services
from samskab.supports.models import Support, SupportCount
from samskab.supports.selectors import support_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def box():
    return IdeaBox.objects.create(title="Byens rum")


@pytest.fixture
def idea(box):
    return Idea.objects.create(box=box, title="Flere bænke")


def toggle(obj):
    return reverse("supports:toggle", args=[obj._meta.label_lower, obj.pk])


# The rule matrix: role x state x action (support). Who may support an idea is its own rule,
# kernelapp.support_idea = verified resident & idea open.
@pytest.mark.parametrize(
    ("who", "is_open", "allowed"),
    [
        ("anonymous", True, False),
        ("citizen", True, False),
        ("resident", True, True),
        ("anonymous", False, False),
        ("citizen", False, False),
        ("resident", False, False),
    ],
)
def test_who_may_support_an_idea_is_the_idea_s_own_rule(client, idea, who, is_open, allowed):
    idea.is_open = is_open
    idea.save()
    user = {"anonymous": None, "citizen": UserFactory, "resident": ResidentFactory}[who]
    if user is not None:
        client.force_login(user())
    response = client.post(toggle(idea), {"support": "1"})
    assert Support.objects.exists() is allowed
    assert support_count(idea) == (1 if allowed else 0)
    if who == "anonymous":
        assert response.status_code == 302 and "login" in response["Location"]


def test_one_support_per_person_and_target_is_a_database_constraint(idea):
    user = ResidentFactory()
    Support.objects.create(target=idea, user=user)
    with pytest.raises(IntegrityError):
        Support.objects.create(target=idea, user=user)


def test_a_second_support_is_refused_and_not_counted(idea):
    user = ResidentFactory()
    services.support_add(target=idea, user=user)
    with pytest.raises(services.SupportRefused, match="already support"):
        services.support_add(target=idea, user=user)
    assert support_count(idea) == 1 == services.supports_recount(target=idea)


def test_the_target_s_limit_hook_refuses_a_third_idea_in_one_box(box):
    user = ResidentFactory()
    first, second, third = (Idea.objects.create(box=box, title=f"Idé {n}") for n in range(3))
    services.support_add(target=first, user=user)
    services.support_add(target=second, user=user)
    with pytest.raises(services.SupportRefused, match="At most 2 ideas per box"):
        services.support_add(target=third, user=user)
    other_box = Idea.objects.create(box=IdeaBox.objects.create(title="Andet"), title="Idé")
    services.support_add(target=other_box, user=user)  # the limit is per box
    assert Support.objects.filter(user=user).count() == 3


def test_taking_a_support_back_moves_the_counter_down(idea):
    user, other = ResidentFactory(), ResidentFactory()
    services.support_add(target=idea, user=user)
    services.support_add(target=idea, user=other)
    services.support_remove(target=idea, user=user)
    assert support_count(idea) == 1 == services.supports_recount(target=idea)
    with pytest.raises(services.SupportRefused):
        services.support_remove(target=idea, user=user)
    assert support_count(idea) == 1


def test_a_target_without_the_support_capability_is_not_found(client, idea):
    client.force_login(ResidentFactory())
    # The box registered only "follow".
    assert client.post(toggle(idea.box), {"support": "1"}).status_code == 404
    with pytest.raises(services.SupportRefused):
        services.support_add(target=idea.box, user=ResidentFactory())


def test_an_idea_nobody_may_see_cannot_be_supported(client, idea):
    IdeaBox.objects.filter(pk=idea.box_id).update(is_published=False)
    client.force_login(ResidentFactory())
    assert client.post(toggle(idea), {"support": "1"}).status_code == 404
    assert not Support.objects.exists()


def test_the_button_answers_htmx_with_itself_and_the_new_count(client, idea):
    client.force_login(ResidentFactory())
    response = client.post(toggle(idea), {"support": "1"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 person supports this." in html and "Take my support back" in html
    response = client.post(toggle(idea), {"support": "0"}, HTTP_HX_REQUEST="true")
    assert "0 people support this." in response.content.decode()


def test_a_button_without_withdrawal_keeps_the_support(client, idea):
    user = ResidentFactory()
    services.support_add(target=idea, user=user)
    client.force_login(user)
    client.post(toggle(idea), {"support": "0", "withdraw": "0"})
    assert support_count(idea) == 1


def test_supports_go_with_their_target(idea):
    services.support_add(target=idea, user=ResidentFactory())
    idea.delete()
    assert not Support.objects.exists() and not SupportCount.objects.exists()


def test_a_person_s_supports_are_in_their_data_export(idea):
    from samskab.accounts.selectors import user_data_export

    user = ResidentFactory()
    services.support_add(target=idea, user=user)
    rows = user_data_export(user)["apps"]["supports"]
    assert [r["target"] for r in rows] == [f"kernelapp.idea:{idea.pk}"]


# Budgets on the kernel: its rule and its limit per group.


def test_a_budget_project_is_supported_through_the_kernel_with_the_group_limit():
    first = HeadingFactory(group__budget__phase=Phase.SELECTING)
    second = HeadingFactory(group=first.group)
    user = ResidentFactory()
    project = ProjectFactory(heading=first)
    services.support_add(target=project, user=user)
    assert project.supports.count() == 1 == support_count(project)
    with pytest.raises(services.SupportRefused, match="at most 1 heading"):
        services.support_add(target=ProjectFactory(heading=second), user=user)


def test_an_unfeasible_project_is_not_supported_by_the_generic_button(client):
    project = ProjectFactory(
        heading__group__budget__phase=Phase.SELECTING, status=Project.Status.UNFEASIBLE
    )
    client.force_login(ResidentFactory())
    client.post(toggle(project), {"support": "1"})
    assert not Support.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_counter_equals_a_recount_when_many_support_at_once():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time; the race needs PostgreSQL.")
    box = IdeaBox.objects.create(title="Samtidig")
    idea = Idea.objects.create(box=box, title="Populær")
    people = [ResidentFactory() for _ in range(12)]
    errors: list[Exception] = []
    start = threading.Barrier(len(people) + 1)

    def support(user):
        try:
            start.wait()
            services.support_add(target=idea, user=user)
            services.support_add(target=idea, user=user)  # the second is refused
        except services.SupportRefused:
            pass
        except Exception as error:  # a 500 for the visitor
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=support, args=(user,)) for user in people]
    for thread in threads:
        thread.start()
    start.wait()
    for thread in threads:
        thread.join()
    assert errors == []
    assert support_count(idea) == Support.objects.count() == len(people)
    assert services.supports_recount(target=idea) == len(people)


def test_a_target_with_a_per_person_limit_cannot_skip_the_lock(idea):
    """One statement holds no lock on the person, so a limited target (two ideas per box)
    must go through support_add."""
    with pytest.raises(ValueError, match="limits supports per person"):
        services.support_add_at_once(target=idea, user=ResidentFactory())
    assert not Support.objects.exists()
