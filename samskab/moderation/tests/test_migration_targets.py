"""Reports and the moderation log move from a comment foreign key to any target: every
report (reporter, reason, note, dates) and log entry is kept, pointing at its comment, and
back for a rollback."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("moderation", "0002_report_threshold_counts_signed_in_accounts")]
AFTER = [("moderation", "0003_reports_and_log_on_any_target")]

# A round trip over many migrations takes a minute; CI runs it on PostgreSQL, the
# production database (conftest.py, "one pass of CI").
pytestmark = pytest.mark.one_pass(on="postgres")


@pytest.mark.django_db(transaction=True)
def test_every_report_and_log_entry_is_kept_and_comes_back_on_rollback():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    ContentType = old.get_model("contenttypes", "ContentType")
    Comment = old.get_model("comments", "Comment")
    Report = old.get_model("moderation", "Report")
    Entry = old.get_model("moderation", "ModerationLogEntry")
    place = ContentType.objects.get_or_create(app_label="webcasts", model="meeting")[0]
    first, second = (
        Comment.objects.create(content_type=place, object_id=1, body=f"Indlæg {n}", depth=1)
        for n in range(2)
    )
    Report.objects.create(comment=first, reporter_key="user:1", reason="spam", note="reklame")
    Report.objects.create(comment=first, reporter_key="viewerkey", reason="abuse")
    Report.objects.create(comment=second, reporter_key="user:1", reason="other")
    Entry.objects.create(action="held", comment=first, reason="pre-moderation", excerpt="Indlæg 0")
    Entry.objects.create(action="unbanned", reason="fortrudt")  # on no post
    reports = {
        (r.comment_id, r.reporter_key, r.reason, r.note, r.created_at) for r in Report.objects.all()
    }
    entries = {(e.comment_id, e.action, e.reason, e.excerpt) for e in Entry.objects.all()}

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    kind = new.get_model("contenttypes", "ContentType").objects.get(
        app_label="comments", model="comment"
    )
    assert {
        (r.object_id, r.reporter_key, r.reason, r.note, r.created_at)
        for r in new.get_model("moderation", "Report").objects.all()
    } == reports
    assert {r.content_type_id for r in new.get_model("moderation", "Report").objects.all()} == {
        kind.pk
    }
    assert {
        (e.object_id, e.action, e.reason, e.excerpt)
        for e in new.get_model("moderation", "ModerationLogEntry").objects.all()
    } == entries

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    assert {
        (r.comment_id, r.reporter_key, r.reason, r.note, r.created_at)
        for r in old.get_model("moderation", "Report").objects.all()
    } == reports
    assert {
        (e.comment_id, e.action, e.reason, e.excerpt)
        for e in old.get_model("moderation", "ModerationLogEntry").objects.all()
    } == entries
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
