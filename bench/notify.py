"""notify: a citizens' budget finishes and 50,000 followers hear about it.

    make bench-notify
    python -m bench.notify                          # SQLite (a file of its own)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/samskab_notify python -m bench.notify
                                                    # PostgreSQL (the database is emptied)

One published budget with 100 projects (each with an author, half writing in Danish, half in
English); 50,000 people follow one project each, 500 of them a second project too, 20 follow
the whole budget, and 10 authors follow their own project (told once, as its author). The
count is published: every project gets its result (the same calls as tallying: a queryset
update of the statuses, then `project_event_record` per project, in one transaction), which
writes every notification with one INSERT ... SELECT per project and queues the delivery
tasks on commit. That is `enqueue_seconds`, timed around the transaction, commit included.

Two `samskab db_worker` processes (django-tasks' database worker, as `samskab worker`) then
deliver the e-mails to an SMTP server on loopback (aiosmtpd, in this process).
`mails_per_s` is the e-mails received divided by the time from the commit to the last one;
`mails_per_s_sending` from the first e-mail to the last. Every e-mail is checked against the
expected recipients, computed here from the follows and authors, not from the notification
table: `duplicates` (an address told twice about one project), `missing`, `unexpected`, and
`wrong_language` (the HTML's lang must be the language the person followed or wrote in).

Ends with one JSON line. Record it in docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from samskab.live.testing import PROJECT_DIR, prepare_database, server_environment

PROJECTS = 100
FOLLOWERS = 50_000
SECOND_FOLLOWS = 500
BUDGET_FOLLOWERS = 20
AUTHORS_FOLLOWING = 10
WORKERS = 2


# --- inside the Django environment ---------------------------------------------------


def seed(out: str) -> None:
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.contrib.contenttypes.models import ContentType

    from samskab.accounts.models import User
    from samskab.budgets.models import Budget, Group, Heading, Phase, Project
    from samskab.follows.models import Follow

    budget = Budget.objects.create(
        title="Borgerbudget (benchmark)", phase=Phase.REVIEWING_BALLOTS, is_published=True
    )
    heading = Heading.objects.create(
        group=Group.objects.create(budget=budget, name="Hele byen"), name="Byen", amount=10**7
    )
    password = make_password(None)
    authors = User.objects.bulk_create(
        User(email=f"author{i}@bench.example", password=password) for i in range(PROJECTS)
    )
    projects = Project.objects.bulk_create(
        Project(
            heading=heading,
            title=f"Projekt {i}",
            author=authors[i],
            language="da" if i % 2 else "en",
            status=Project.Status.ON_BALLOT,
            price=1000,
        )
        for i in range(PROJECTS)
    )
    users = User.objects.bulk_create(
        (User(email=f"f{i}@bench.example", password=password) for i in range(FOLLOWERS)),
        batch_size=5000,
    )
    project_type = ContentType.objects.get_for_model(Project)
    budget_type = ContentType.objects.get_for_model(Budget)

    def follow(user, ct, pk, language):
        return Follow(content_type=ct, object_id=pk, user=user, language=language)

    rows = [
        follow(u, project_type, projects[i % PROJECTS].pk, "en" if i % 3 == 0 else "da")
        for i, u in enumerate(users)
    ]
    rows += [
        follow(users[i], project_type, projects[(i + 1) % PROJECTS].pk, "en")
        for i in range(SECOND_FOLLOWS)
    ]
    rows += [follow(users[-1 - i], budget_type, budget.pk, "da") for i in range(BUDGET_FOLLOWERS)]
    rows += [
        follow(authors[i], project_type, projects[i].pk, "da") for i in range(AUTHORS_FOLLOWING)
    ]
    Follow.objects.bulk_create(rows, batch_size=5000)
    Path(out).write_text(json.dumps({"budget": budget.pk}))


def finish(budget_id: int, out: str) -> None:
    """Publish the results, as tallying does, and say what each person must receive."""
    import django

    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from samskab.budgets.models import Budget, Project, ProjectEventKind
    from samskab.budgets.process import project_event_record
    from samskab.follows.models import Follow

    budget = Budget.objects.get(pk=budget_id)
    projects = Project.objects.filter(heading__group__budget=budget)
    winners = list(projects.order_by("pk").values_list("pk", flat=True)[: PROJECTS // 4])
    started, cpu = time.perf_counter(), time.process_time()
    with transaction.atomic():
        projects.filter(pk__in=winners).update(status=Project.Status.WINNER)
        projects.exclude(pk__in=winners).update(status=Project.Status.NOT_WINNER)
        for project in projects:
            project_event_record(project=project, kind=ProjectEventKind.RESULT)
    enqueue_seconds = time.perf_counter() - started
    enqueue_cpu = time.process_time() - cpu
    committed = time.time()

    # The expected e-mails, from the follows and authors (not from the notifications).
    project_type = ContentType.objects.get_for_model(Project)
    budget_type = ContentType.objects.get_for_model(Budget)
    budget_follows = list(
        Follow.objects.filter(content_type=budget_type, object_id=budget.pk).values_list(
            "user__email", "language"
        )
    )
    expected: dict[str, dict[str, str]] = {}
    for project in projects.select_related("author"):
        people: dict[str, str] = dict(budget_follows)
        people.update(
            Follow.objects.filter(content_type=project_type, object_id=project.pk).values_list(
                "user__email", "language"
            )
        )
        people[project.author.email] = project.language
        expected[project.title] = people
    Path(out).write_text(
        json.dumps(
            {
                "enqueue_seconds": enqueue_seconds,
                "enqueue_cpu_seconds": enqueue_cpu,
                "committed": committed,
                "expected": expected,
            }
        )
    )


# --- the benchmark -------------------------------------------------------------------


class Inbox:
    """Counts what arrives: (project title, address, language), cheaply."""

    def __init__(self):
        self.received: list[tuple[bytes, str, float]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.append((envelope.content, envelope.rcpt_tos[0], time.time()))
        return "250 OK"


def _run(env, *args) -> None:
    subprocess.run(
        [sys.executable, "-m", "bench.notify", *args], env=env, cwd=PROJECT_DIR, check=True
    )


_LANG = re.compile(rb'<html lang="([a-z-]+)">')
_TITLE = re.compile(rb"<h1><a [^>]*>([^<]*)</a></h1>")


def _parse(content: bytes) -> tuple[str, str]:
    """(project title, language) of one e-mail: read from its HTML part (8-bit, as Django
    sends it), with the e-mail parser as the fallback."""
    lang, title = _LANG.search(content), _TITLE.search(content)
    if lang and title:
        return title.group(1).decode(), lang.group(1).decode()
    from email import message_from_bytes, policy

    html = message_from_bytes(content, policy=policy.default).get_body(("html",)).get_content()
    language = html.split('<html lang="', 1)[1].split('"', 1)[0]
    found = html.split("<h1>", 1)[1].split(">", 1)[1].split("</a>", 1)[0]
    return found, language


def main() -> None:
    from aiosmtpd.controller import Controller

    from samskab.feedback.tests.conftest import free_port

    database = os.environ.get("DATABASE_URL", "")
    directory = Path(tempfile.mkdtemp(prefix="bench-notify-"))
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    extra = {
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "SITE_URL": "https://deltag.example.dk",
        "LOG_LEVEL": "WARNING",
    }
    if database.startswith("postgres"):
        extra["DATABASE_URL"] = database
    env = server_environment(directory, broker="memory://", **extra)
    env.pop("SAMSKAB_TESTING", None)
    if database.startswith("postgres"):
        subprocess.run(
            [sys.executable, "-m", "samskab.cli", "flush", "--no-input"],
            env=env,
            cwd=PROJECT_DIR,
            check=False,
            capture_output=True,
        )
    prepare_database(env)
    seeded = directory / "seed.json"
    _run(env, "seed", str(seeded))
    budget_id = json.loads(seeded.read_text())["budget"]

    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "samskab.cli",
                "db_worker",
                "--interval",
                "0.5",
                "--no-startup-delay",
                "--no-reload",
                "--worker-id",
                f"bench-{i}",
            ],
            env=env,
            cwd=PROJECT_DIR,
        )
        for i in range(WORKERS)
    ]
    try:
        time.sleep(3)  # the workers start (Django set-up) before the budget finishes
        finished = directory / "finish.json"
        _run(env, "finish", str(finished), str(budget_id))
        result = json.loads(finished.read_text())
        expected = result["expected"]
        total = sum(len(people) for people in expected.values())
        deadline = time.time() + 600
        last_count, quiet_since = -1, time.time()
        while time.time() < deadline:
            count = len(inbox.received)
            if count != last_count:
                last_count, quiet_since = count, time.time()
            elif (
                count >= total and time.time() - quiet_since > 3
            ) or time.time() - quiet_since > 60:
                break
            time.sleep(0.5)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        smtp.stop()

    seen: Counter[tuple[str, str]] = Counter()
    wrong_language = unexpected = 0
    for content, address, _at in inbox.received:
        title, language = _parse(content)
        seen[(title, address)] += 1
        want = expected.get(title, {}).get(address)
        if want is None:
            unexpected += 1
        elif want != language:
            wrong_language += 1
    wanted = {(title, address) for title, people in expected.items() for address in people}
    times = [at for _c, _a, at in inbox.received]
    received = len(inbox.received)
    elapsed = (max(times) - result["committed"]) if times else float("inf")
    sending = (max(times) - min(times)) if len(times) > 1 else float("inf")
    report = {
        "database": "postgresql" if database.startswith("postgres") else "sqlite",
        "projects": PROJECTS,
        "followers": FOLLOWERS,
        "recipients": total,
        "received": received,
        "enqueue_seconds": round(result["enqueue_seconds"], 3),
        # This process's CPU in that time (the database's own work is not in it).
        "enqueue_cpu_seconds": round(result["enqueue_cpu_seconds"], 3),
        "mails_per_s": round(received / elapsed, 1) if times else 0,
        "mails_per_s_sending": round(received / sending, 1) if len(times) > 1 else 0,
        "workers": WORKERS,
        "duplicates": sum(n - 1 for n in seen.values() if n > 1),
        "missing": len(wanted - set(seen)),
        "unexpected": unexpected,
        "wrong_language": wrong_language,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "seed":
        seed(sys.argv[2])
    elif len(sys.argv) > 1 and sys.argv[1] == "finish":
        finish(int(sys.argv[3]), sys.argv[2])
    else:
        main()
