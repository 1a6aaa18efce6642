"""Budgets' project supports move to the supports app: every support (person, project,
date) kept, each project's counter equal to its supports, and back for a rollback."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("budgets", "0009_project_history_moves_to_activity"), ("supports", "0001_supports")]
AFTER = [("budgets", "0010_supports_move_to_the_supports_app")]

# A round trip over many migrations takes a minute; CI runs it on PostgreSQL, the
# production database (conftest.py, "one pass of CI").
pytestmark = pytest.mark.one_pass(on="postgres")


@pytest.mark.django_db(transaction=True)
def test_every_support_is_kept_counted_and_comes_back_on_rollback():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    User = old.get_model("accounts", "User")
    Budget = old.get_model("budgets", "Budget")
    Group = old.get_model("budgets", "Group")
    Heading = old.get_model("budgets", "Heading")
    Project = old.get_model("budgets", "Project")
    Support = old.get_model("budgets", "Support")
    heading = Heading.objects.create(
        group=Group.objects.create(budget=Budget.objects.create(title="B"), name="G"),
        name="H",
        amount=1,
    )
    popular, quiet, none = (Project.objects.create(heading=heading, title=t) for t in "PQN")
    people = [User.objects.create(email=f"{n}@example.org") for n in range(3)]
    for person in people:
        Support.objects.create(project=popular, user=person)
    Support.objects.create(project=quiet, user=people[0])
    supports = {(s.project_id, s.user_id, s.created_at) for s in Support.objects.all()}

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    kind = new.get_model("contenttypes", "ContentType").objects.get(
        app_label="budgets", model="project"
    )
    moved = new.get_model("supports", "Support").objects.filter(content_type=kind)
    assert {(s.object_id, s.user_id, s.created_at) for s in moved} == supports
    counts = new.get_model("supports", "SupportCount").objects.filter(content_type=kind)
    assert {(c.object_id, c.count) for c in counts} == {(popular.pk, 3), (quiet.pk, 1)}
    assert none.pk not in {c.object_id for c in counts}

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    back = old.get_model("budgets", "Support").objects.all()
    assert {(s.project_id, s.user_id) for s in back} == {(p, u) for p, u, _at in supports}
    assert not old.get_model("supports", "Support").objects.exists()
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
