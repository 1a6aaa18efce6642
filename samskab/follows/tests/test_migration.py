"""Budgets' own follows move to the follows app, every one kept."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("budgets", "0004_project_event_status_kind"), ("follows", "0001_follows")]
AFTER = [("budgets", "0005_follows_move_to_the_follows_app")]

# A round trip over many migrations takes a minute; CI runs it on PostgreSQL, the
# production database (conftest.py, "one pass of CI").
pytestmark = pytest.mark.one_pass(on="postgres")


@pytest.mark.django_db(transaction=True)
def test_every_project_follow_becomes_a_follow_with_its_language_and_date():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    User = old.get_model("accounts", "User")
    Budget = old.get_model("budgets", "Budget")
    Group = old.get_model("budgets", "Group")
    Heading = old.get_model("budgets", "Heading")
    Project = old.get_model("budgets", "Project")
    ProjectFollow = old.get_model("budgets", "ProjectFollow")
    budget = Budget.objects.create(title="B")
    heading = Heading.objects.create(
        group=Group.objects.create(budget=budget, name="G"), name="H", amount=1
    )
    projects = [Project.objects.create(heading=heading, title=f"P{i}") for i in range(2)]
    users = [User.objects.create(email=f"u{i}@example.org") for i in range(3)]
    for project in projects:
        for user in users:
            ProjectFollow.objects.create(project=project, user=user, language="en")
    wanted = {
        (f.project_id, f.user_id, f.language, f.created_at) for f in ProjectFollow.objects.all()
    }

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Follow = new.get_model("follows", "Follow")
    ContentType = new.get_model("contenttypes", "ContentType")
    project_type = ContentType.objects.get(app_label="budgets", model="project")
    found = {
        (f.object_id, f.user_id, f.language, f.created_at)
        for f in Follow.objects.filter(content_type=project_type)
    }
    assert found == wanted and len(found) == 6

    # and back, for a rollback
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    assert old.get_model("budgets", "ProjectFollow").objects.count() == 6
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
