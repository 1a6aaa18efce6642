"""binding_vote: a binding vote under a burst of web ballots, then counted.

    make bench-binding-vote                                   # small, SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/samskab_bench make bench-binding-vote \
        BENCH_ARGS="--residents 200000 --ballots 20000 --count-ballots 1000000"
    DATABASE_URL=... DATABASE_POOL_SIZE=20 make bench-binding-vote \
        BENCH_ARGS="--residents 200000 --ballots 20000 --threads 100"  # 200 callers, 40 connections

Residents (verified, in the census) and an open three-question vote (one answer, up to two
answers, a ranking of five counted by instant-runoff) are seeded. Then `--processes`
processes with `--threads` threads each (one database connection per thread) cast
`--ballots` ballots through `services.ballot_cast`, the same call the ballot page makes,
and `--double` of the voters try a second time (must be refused). With DATABASE_POOL_SIZE
each process has a pool of that many connections and each ballot takes one and gives it
back, as a request does, so the threads are callers and not connections. This measures the
database path of a ballot (eligibility, the shared lock on the vote, the participation and
ballot rows in one transaction), not HTTP: there is no web server in the loop.

Afterwards the vote is closed (the ballots laid out again at random) and checked: every
ballot counted once, no second attempt counted, and nothing linkable (no column joins the
tables, and neither physical order nor key order of the ballots follows the participation
rows). Finally `--count-ballots` ranking ballots are written to a second vote and counted
from the database as publishing does (`results.count`): `count_seconds`.

Ends with one JSON line: ballots_per_s, p50_ms, p99_ms, client_cpu_ms_per_ballot and
server_cpu_ms_per_ballot (the workers' CPU and their PostgreSQL backends' CPU per attempt: on
a loaded machine these say more than the rate), load_average (at the end of the burst),
counted, double, linked, close_seconds, count_ballots, count_seconds, ... Record it in
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from samskab.live.testing import PROJECT_DIR, prepare_database, server_environment

ANSWERS = 5


def _setup() -> None:
    import django

    django.setup()


def seed(residents: int, out: str) -> None:
    """Residents in the census with verified accounts, and the open vote."""
    _setup()
    import datetime

    from django.conf import settings
    from django.core.management import call_command

    from samskab.accounts.census import hash_identifier
    from samskab.accounts.models import (
        CensusImport,
        CensusRecord,
        ResidenceVerification,
        User,
        VerificationLevel,
    )
    from samskab.votes import services
    from samskab.votes.models import BindingVote, Question

    call_command("flush", interactive=False, verbosity=0)  # the bench's own database
    census = CensusImport.objects.create(file_name="bench.csv", row_count=residents)
    rng = random.Random(3)
    batch = 5000
    start = User.objects.count()
    for first in range(0, residents, batch):
        n = min(batch, residents - first)
        users = User.objects.bulk_create(
            User(
                email=f"bench{start + first + i}@example.org",
                verification_level=VerificationLevel.RESIDENT,
                password="!",  # noqa: S106  # unusable: no login
            )
            for i in range(n)
        )
        digests = [
            hash_identifier(f"B{start + first + i:09d}", pepper=settings.CENSUS_PEPPER)
            for i in range(n)
        ]
        CensusRecord.objects.bulk_create(
            CensusRecord(
                identifier_hash=d,
                birth_date=datetime.date(rng.randint(1930, 2008), rng.randint(1, 12), 1),
                postal_code=rng.choice(["8000", "8200", "8210", "8220", "8230"]),
                census_import=census,
            )
            for d in digests
        )
        ResidenceVerification.objects.bulk_create(
            ResidenceVerification(user=u, identifier_hash=d, postal_code="8000")
            for u, d in zip(users, digests, strict=True)
        )
    vote = services.vote_create(title="Benchmark", commitment="Vi følger resultatet.")
    services.question_add(vote=vote, text="Et svar", answers=["A", "B", "C"])
    services.question_add(
        vote=vote,
        text="Op til to",
        kind=Question.Kind.MULTIPLE,
        max_choices=2,
        answers=["A", "B", "C", "D"],
    )
    services.question_add(
        vote=vote,
        text="Rangordning",
        kind=Question.Kind.RANKING,
        answers=[f"Plan {i}" for i in range(ANSWERS)],
    )
    BindingVote.objects.filter(pk=vote.pk).update(status=BindingVote.Status.OPEN)
    user_ids = list(
        User.objects.filter(email__startswith="bench").order_by("pk").values_list("pk", flat=True)
    )
    questions = [[q.pk, q.kind, [a.pk for a in q.answers.all()]] for q in vote.questions.all()]
    Path(out).write_text(json.dumps({"vote": vote.pk, "users": user_ids, "questions": questions}))


def _ballot(rng: random.Random, questions: list) -> dict[int, list[int]]:
    choices = {}
    for pk, kind, answers in questions:
        if kind == "multiple":
            choices[pk] = rng.sample(answers, rng.randint(0, 2))
        elif kind == "ranking":
            choices[pk] = rng.sample(answers, rng.randint(1, len(answers)))
        else:
            choices[pk] = [rng.choice(answers)]
    return choices


def worker(facts_path: str, users: str, threads: int, out: str) -> None:
    """One process: `threads` threads, each with its own connection, cast the ballots of
    the users listed (a second attempt is a user listed twice)."""
    # Our backends by name, for their CPU when a pool hands connections around (libpq reads
    # PGAPPNAME when the settings name no application).
    os.environ["PGAPPNAME"] = f"bench-binding-vote-{os.getpid()}"
    _setup()
    from django.db import connection

    from samskab.accounts.models import User
    from samskab.votes.models import BindingVote
    from samskab.votes.services import VoteRefused, ballot_cast

    # With DATABASE_POOL_SIZE each ballot takes a connection from the process's pool and
    # gives it back, as a request does (Django closes it at the request's end), so many more
    # threads than connections can vote; without a pool each thread keeps its own.
    pooled = bool(connection.settings_dict["OPTIONS"].get("pool"))

    facts = json.loads(Path(facts_path).read_text())
    queue = json.loads(Path(users).read_text())
    vote_pk = facts["vote"]
    lock = threading.Lock()
    latencies: list[float] = []
    outcome = {"cast": 0, "refused": 0, "errors": 0, "error": "", "server_cpu_s": 0.0}
    position = 0
    tick = os.sysconf("SC_CLK_TCK")

    def process_cpu(pid: int) -> float | None:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / tick  # utime + stime

    def backend_cpu() -> float | None:
        """CPU seconds of this thread's PostgreSQL backend, where the server is on this
        machine (/proc); None otherwise."""
        if connection.vendor != "postgresql" or pooled:
            return None
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        return process_cpu(pid)

    def pool_backends_cpu() -> float | None:
        """With a pool: the CPU seconds of every backend this process opened (all still open
        in the pool), from their start."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                [os.environ["PGAPPNAME"]],
            )
            pids = [row[0] for row in cursor.fetchall()]
        connection.close()
        used = [process_cpu(pid) for pid in pids]
        return None if not used or None in used else sum(used)  # type: ignore[misc]

    def run(seed: int) -> None:
        nonlocal position
        rng = random.Random(seed)
        vote = BindingVote.objects.get(pk=vote_pk)
        server_before = backend_cpu()
        while True:
            with lock:
                if position >= len(queue):
                    break
                user_pk = queue[position]
                position += 1
            started = time.perf_counter()
            try:
                user = User.objects.get(pk=user_pk)
                ballot_cast(vote=vote, user=user, choices=_ballot(rng, facts["questions"]))
                key = "cast"
            except VoteRefused:
                key = "refused"
            except Exception as error:  # counted and reported, never hidden
                key = "errors"
                outcome["error"] = repr(error)[:300]
            if pooled:
                connection.close()  # back to the pool, as at a request's end
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                outcome[key] += 1
        server_after = backend_cpu()
        with lock:
            if server_before is None or server_after is None:
                outcome["server_cpu_s"] = None
            elif outcome["server_cpu_s"] is not None:
                outcome["server_cpu_s"] += server_after - server_before
        connection.close()

    pool = [threading.Thread(target=run, args=(os.getpid() * 100 + i,)) for i in range(threads)]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    done = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = done.ru_utime + done.ru_stime - usage.ru_utime - usage.ru_stime
    if pooled:
        outcome["server_cpu_s"] = pool_backends_cpu()
    Path(out).write_text(
        json.dumps({**outcome, "client_cpu_s": client_cpu, "latencies": latencies})
    )


def check(facts_path: str, count_ballots: int) -> None:
    """Close, check nothing is linkable, and count a vote of `count_ballots` rankings."""
    _setup()
    import datetime
    import uuid

    from django.db import connection

    from samskab.accounts.models import User
    from samskab.votes import results, services
    from samskab.votes.models import Ballot, BindingVote, Participation, Question

    facts = json.loads(Path(facts_path).read_text())
    vote = BindingVote.objects.get(pk=facts["vote"])
    admin = User.objects.create_superuser(email="bench-admin@example.org", password=None)
    counted = Ballot.objects.filter(vote=vote).count()
    people = Participation.objects.filter(vote=vote).count()
    started = time.perf_counter()
    services.vote_close(vote=vote, by=admin)
    close_seconds = time.perf_counter() - started

    # Linkable? No shared column but the vote and the day; no order follows the other.
    ballot_columns = {f.column for f in Ballot._meta.concrete_fields}
    shared = ballot_columns & {f.column for f in Participation._meta.concrete_fields}
    physical = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT receipt FROM {Ballot._meta.db_table} WHERE vote_id = %s ORDER BY {physical}",  # noqa: S608
            [vote.pk],
        )
        ballot_order = [row[0] for row in cursor.fetchall()]
    # The order the ballots were written in is gone, so it can only be compared by the
    # ranks of their days (all the same) and their keys: check no column is a sequence.
    pk_is_random = isinstance(Ballot._meta.pk.default(), uuid.UUID)
    linked = bool(shared - {"id", "vote_id", "day"}) or not pk_is_random
    linked = linked or Ballot._meta.get_field("day").get_internal_type() != "DateField"

    # Counting: a second vote with `count_ballots` ranking ballots written straight in.
    day = datetime.date.today()
    count_vote = services.vote_create(title="Count", commitment="-")
    question = services.question_add(
        vote=count_vote,
        text="Rangordning",
        kind=Question.Kind.RANKING,
        answers=[f"Plan {i}" for i in range(ANSWERS)],
    )
    answers = [a.pk for a in question.answers.all()]
    rng = random.Random(11)
    weights = [5, 4, 3, 2, 1]
    started = time.perf_counter()
    batch = 20_000
    for first in range(0, count_ballots, batch):
        rows = []
        for _ in range(min(batch, count_ballots - first)):
            order = rng.sample(answers, ANSWERS)
            if rng.random() < 0.5:  # a preference for the first plans
                order.sort(key=lambda a: -weights[answers.index(a)] * rng.random())
            order = order[: rng.randint(1, ANSWERS)]
            rows.append(
                Ballot(
                    vote=count_vote,
                    day=day,
                    content={str(question.pk): order},
                    receipt=uuid.uuid4().hex + uuid.uuid4().hex,
                )
            )
        Ballot.objects.bulk_create(rows)
    write_seconds = time.perf_counter() - started
    started = time.perf_counter()
    counted_result = results.count(count_vote)
    count_seconds = time.perf_counter() - started
    ranking = counted_result["questions"][0]
    print(
        json.dumps(
            {
                "counted": counted,
                "participations": people,
                "close_seconds": round(close_seconds, 2),
                "linked": linked,
                "ballots_checked_for_order": len(ballot_order),
                "count_ballots": count_ballots,
                "count_write_seconds": round(write_seconds, 1),
                "count_seconds": round(count_seconds, 2),
                "count_rounds": len(ranking["rounds"]),
                "count_ballots_counted": ranking["ballots"]["total"],
            }
        )
    )


def run_module(env: dict, *args: str) -> str:
    done = subprocess.run(  # our interpreter and module, our arguments
        [sys.executable, "-m", "bench.binding_vote", *args],
        env=env,
        cwd=PROJECT_DIR,
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.exit(f"bench.binding_vote {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=5_000)
    parser.add_argument("--ballots", type=int, default=2_000)
    parser.add_argument("--double", type=int, default=200, help="voters who try twice")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8, help="threads (connections) each")
    parser.add_argument("--count-ballots", type=int, default=50_000)
    parser.add_argument("--seed", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--check", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        return seed(int(args.seed[0]), args.seed[1])
    if args.worker:
        return worker(args.worker[0], args.worker[1], int(args.worker[2]), args.worker[3])
    if args.check:
        return check(args.check[0], int(args.check[1]))

    work = Path(tempfile.mkdtemp(prefix="samskab-binding-vote-"))
    extra = {"DEBUG": "0", "LOG_LEVEL": "WARNING", "RATELIMIT_ENABLED": "0"}
    if os.environ.get("DATABASE_URL"):
        extra["DATABASE_URL"] = os.environ["DATABASE_URL"]
        extra["DATABASE_CONN_MAX_AGE"] = "0"
        if os.environ.get("DATABASE_POOL_SIZE"):  # --threads callers share this many each
            extra["DATABASE_POOL_SIZE"] = os.environ["DATABASE_POOL_SIZE"]
    env = server_environment(work, broker="memory://", **extra)
    prepare_database(env)
    facts = work / "facts.json"
    started = time.perf_counter()
    run_module(env, "--seed", str(args.residents), str(facts))
    seed_seconds = time.perf_counter() - started
    users = json.loads(facts.read_text())["users"][: args.ballots]
    again = users[: args.double]
    # Second attempts go at the end of each queue: a second click after the first counted;
    # the two-tabs-at-once race is a test (test_services.test_two_tabs_at_once_count_once).
    slices = [users[i :: args.processes] for i in range(args.processes)]
    for i, part in enumerate(again):
        slices[i % args.processes].append(part)
    processes = []
    for i, part in enumerate(slices):
        (work / f"users{i}.json").write_text(json.dumps(part))
        processes.append(
            subprocess.Popen(  # our interpreter and module, our arguments
                [
                    sys.executable,
                    "-m",
                    "bench.binding_vote",
                    "--worker",
                    str(facts),
                    str(work / f"users{i}.json"),
                    str(args.threads),
                    str(work / f"out{i}.json"),
                ],
                env=env,
                cwd=PROJECT_DIR,
            )
        )
    load_before = [round(x, 1) for x in os.getloadavg()]
    began = time.perf_counter()
    for process in processes:
        process.wait()
    elapsed = time.perf_counter() - began
    outs = [json.loads((work / f"out{i}.json").read_text()) for i in range(args.processes)]
    latencies = sorted(x for out in outs for x in out["latencies"])
    cast = sum(out["cast"] for out in outs)
    # CPU per attempt, less sensitive to a loaded machine than the rate: the worker
    # processes' own (Python, psycopg) and their PostgreSQL backends' (null if not local).
    client_cpu = sum(out["client_cpu_s"] for out in outs)
    server_cpu = [out["server_cpu_s"] for out in outs]
    checked = json.loads(run_module(env, "--check", str(facts), str(args.count_ballots)))
    print(
        json.dumps(
            {
                "database": "postgresql" if "postgres" in env["DATABASE_URL"] else "sqlite",
                "residents": args.residents,
                "processes": args.processes,
                "connections": args.processes * args.threads,
                "pool_per_process": int(env.get("DATABASE_POOL_SIZE") or 0),
                "attempts": len(latencies),
                "ballots_per_s": round(cast / elapsed, 1),
                "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
                "p99_ms": round(
                    latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 1
                ),
                "client_cpu_ms_per_ballot": round(client_cpu * 1000 / len(latencies), 2),
                "server_cpu_ms_per_ballot": None
                if None in server_cpu
                else round(sum(server_cpu) * 1000 / len(latencies), 2),
                "load_average": {
                    "before": load_before,
                    "after": [round(x, 1) for x in os.getloadavg()],
                },
                "cast": cast,
                "double": sum(out["refused"] for out in outs),
                "double_tried": len(again),
                "errors": sum(out["errors"] for out in outs),
                "error": next((out["error"] for out in outs if out["error"]), ""),
                "seed_seconds": round(seed_seconds, 1),
                **checked,
            }
        )
    )


if __name__ == "__main__":
    main()
