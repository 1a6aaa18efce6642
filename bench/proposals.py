"""proposals: the proposals' index, search and a burst of supports (issue 20).

    make bench-proposals                                   # SQLite, 10,000 proposals
    python -m bench.proposals --proposals 2000 --supports 20000 --burst 2000   # small
    DATABASE_URL=postgres://... python -m bench.proposals --proposals 100000 \\
        --supports 2000000 --burst 20000 --connections 200 --processes 2

Sets up its own database (a new SQLite file, or the PostgreSQL database DATABASE_URL names,
flushed first), seeds `--proposals` proposals (tags, areas, words from a Danish vocabulary,
some archived, some successful) with `--supports` supports from verified residents spread
over them (rows and counters as the services write them, bulk inserted), then measures:

- the index: the first page of /forslag/ in each order (hot, supports, new, commented),
  through Django's test client, so the view, selectors and template are all timed;
- search: /forslag/?q=<word> for words of the vocabulary (Danish full text on PostgreSQL,
  LIKE on SQLite);
- both again with the cache emptied before each request (`index_cold_*`, `search_cold_*`,
  with this process's CPU time per request);
- a burst: `--burst` distinct verified residents each support one of 50 proposals at once
  through `services.proposal_support` (the page's and the API's path: follow, the kernel's
  support, the counter, the hot score, the threshold), from `--processes` processes with
  `--connections` threads in all, each thread its own database connection, or with
  DATABASE_POOL_SIZE=N sharing N pooled connections per process (a server that allows
  fewer connections than callers), each support handing its connection back as a request
  does.

Afterwards the supports are recounted from the rows: `lost` is supports the burst should
have made but did not (refused or failed), `double` is supports counted more than once
(a counter above its recount, or a person with two rows). Ends with one JSON line with at
least proposals, index_p99_ms, search_p99_ms, supports_per_s, lost, double.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from samskab.live.testing import PROJECT_DIR, prepare_database, server_environment

WORDS = [
    "bænke",
    "cykelsti",
    "skole",
    "trafik",
    "park",
    "lys",
    "bibliotek",
    "svømmehal",
    "bus",
    "station",
    "legeplads",
    "træer",
    "hundeskov",
    "fortov",
    "parkering",
    "affald",
    "genbrug",
    "sport",
    "kultur",
    "ældre",
    "børn",
    "unge",
    "havn",
    "strand",
    "skøjtebane",
    "torv",
    "gågade",
    "belysning",
    "fodgængerfelt",
    "støj",
    "klima",
    "regnvand",
    "sti",
    "bro",
    "marked",
]
TAGS = ["trafik", "natur", "byliv", "skole", "kultur", "sport", "klima", "ældre", "børn"]
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "te", "vi", "bø", "då", "fæ", "gu", "hy", "jo"]
FILLER = 3000  # made-up words: each text has a few of the real ones, as real texts do
BURST_TARGETS = 50
REQUESTS_PER_ORDER = 40
SEARCHES = 80
COLD_REQUESTS = 15


def _setup() -> None:
    import django

    django.setup()


def seed(proposals: int, supports: int, burst: int, out: str) -> None:
    _setup()
    from datetime import timedelta

    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone

    from samskab.accounts.models import User, VerificationLevel
    from samskab.debates import scoring
    from samskab.debates.models import Area, Tag
    from samskab.proposals.models import Proposal
    from samskab.supports.models import SupportCount

    rng = random.Random(20)
    now = timezone.now()
    areas = [Area.objects.get_or_create(name=f"Bydel {i}")[0] for i in range(8)]
    tags = [Tag.objects.get_or_create(name=name)[0] for name in TAGS]
    # Enough people that the most supported proposals are not capped far below their share.
    people = max(supports // max(proposals, 1) * 4, supports // 100, 2000) + burst
    User.objects.bulk_create(
        [
            User(
                email=f"borger{i}@bench.example",
                display_name=f"Borger {i}",
                verification_level=VerificationLevel.RESIDENT,
                password="!",  # noqa: S106  # unusable
            )
            for i in range(people)
        ],
        batch_size=5000,
    )
    user_ids = list(User.objects.order_by("pk").values_list("pk", flat=True))
    seeded_people, burst_people = user_ids[: people - burst], user_ids[people - burst :]
    filler = sorted(
        {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(FILLER)}
    )
    batch = []
    for i in range(proposals):
        created = now - timedelta(days=rng.randint(0, 500), minutes=rng.randint(0, 1440))
        chosen = [rng.choice(filler) for _ in range(38)] + rng.sample(WORDS, 2)
        rng.shuffle(chosen)
        words = " ".join(chosen)
        batch.append(
            Proposal(
                title=f"Forslag {i}: {rng.choice(WORDS)} og {rng.choice(WORDS)}",
                summary=f"Kommunen bør se på {rng.choice(WORDS)}.",
                text=words,
                text_html=f"<p>{words}</p>",
                author_id=rng.choice(seeded_people),
                area=rng.choice(areas),
                created_at=created,
                comment_count=rng.randint(0, 30),
                hot_score=scoring.hot_score(created_at=created, votes=0, comments=0),
            )
        )
        if len(batch) == 5000:
            Proposal.objects.bulk_create(batch)
            batch = []
    Proposal.objects.bulk_create(batch)
    ids = list(Proposal.objects.order_by("pk").values_list("pk", flat=True))
    through = Proposal.tags.through
    through.objects.bulk_create(
        [
            through(proposal_id=pk, tag_id=tag.pk)
            for pk in ids
            for tag in rng.sample(tags, rng.randint(1, 3))
        ],
        batch_size=10000,
    )
    # Supports: each proposal gets a share (skewed, as real ones are), each person once.
    kind = ContentType.objects.get_for_model(Proposal)
    counts: dict[int, int] = {}
    weights = [rng.paretovariate(1.2) for _ in ids]
    scale = supports / sum(weights)
    rows: list[tuple[int, int]] = []
    made = 0
    for pk, weight in zip(ids, weights, strict=True):
        n = min(int(weight * scale), len(seeded_people))
        if made + n > supports:
            n = supports - made
        if n <= 0:
            continue
        rows += [(pk, user_id) for user_id in rng.sample(seeded_people, n)]
        counts[pk] = n
        made += n
        if len(rows) >= 100_000:
            _supports_insert(kind.pk, rows, now)
            rows = []
    _supports_insert(kind.pk, rows, now)
    SupportCount.objects.bulk_create(
        [SupportCount(content_type=kind, object_id=pk, count=n) for pk, n in counts.items()],
        batch_size=10000,
    )
    # The proposals' counters and hot scores from the counts, in batches (one statement
    # per 2,000 proposals, not two per proposal).
    changed = [
        Proposal(
            pk=pk,
            support_count=counts[pk],
            hot_score=scoring.hot_score(created_at=created, votes=counts[pk], comments=0),
        )
        for pk, created in Proposal.objects.filter(pk__in=list(counts)).values_list(
            "pk", "created_at"
        )
    ]
    with transaction.atomic():
        Proposal.objects.bulk_update(changed, ["support_count", "hot_score"], batch_size=2000)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # the planner's statistics after the bulk load
    targets = list(
        Proposal.objects.filter(created_at__gte=now - timedelta(days=200))
        .order_by("?")
        .values_list("pk", flat=True)[:BURST_TARGETS]
    )
    Path(out).write_text(
        json.dumps({"seeded_supports": made, "burst_people": burst_people, "targets": targets})
    )


def _supports_insert(kind: int, rows: list[tuple[int, int]], now) -> None:
    """(proposal, person) rows: PostgreSQL's COPY (two million in a few minutes on a
    loaded machine, where bulk_create took half an hour), else bulk_create."""
    from django.db import connection

    from samskab.supports.models import Support

    if connection.vendor != "postgresql":
        Support.objects.bulk_create(
            [Support(content_type_id=kind, object_id=pk, user_id=user) for pk, user in rows],
            batch_size=20000,
        )
        return
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            "COPY supports_support (content_type_id, object_id, user_id, created_at) FROM STDIN"
        ) as copy,
    ):
        for pk, user in rows:
            copy.write_row((kind, pk, user, now))


def _p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 1)


def reads(out: str) -> None:
    _setup()
    from django.core.cache import cache
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    client = Client(HTTP_HOST="127.0.0.1")
    rng = random.Random(4)
    index: dict[str, list[float]] = {}
    for order in ("hot", "supports", "new", "commented"):
        client.get(f"/forslag/?order={order}")  # warm
        index[order] = []
        for _ in range(REQUESTS_PER_ORDER):
            started = time.perf_counter()
            answer = client.get(f"/forslag/?order={order}")
            index[order].append(time.perf_counter() - started)
            assert answer.status_code == 200, answer.status_code
    search = []
    for _ in range(SEARCHES):
        word = rng.choice(WORDS)
        started = time.perf_counter()
        answer = client.get(f"/forslag/?q={word}")
        search.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.status_code
    # CPU time of this process per page (the view, the ORM, the template): on a shared
    # machine the wall time above is mostly waiting for a core.
    cpu_started = time.process_time()
    for _ in range(REQUESTS_PER_ORDER):
        client.get("/forslag/?order=supports")
    index_cpu_ms = (time.process_time() - cpu_started) / REQUESTS_PER_ORDER * 1000
    # The same pages and searches with the cache emptied before each: what the first
    # visitor after a change (or after the cards' seconds in the cache) waits for.
    cold: list[float] = []
    cold_cpu = 0.0
    for order in ("hot", "supports", "new", "commented"):
        for _ in range(COLD_REQUESTS):
            cache.clear()
            cpu_started, started = time.process_time(), time.perf_counter()
            answer = client.get(f"/forslag/?order={order}")
            cold.append(time.perf_counter() - started)
            cold_cpu += time.process_time() - cpu_started
            assert answer.status_code == 200, answer.status_code
    search_cold: list[float] = []
    search_cold_cpu = 0.0
    for _ in range(COLD_REQUESTS * 2):
        word = rng.choice(WORDS)
        cache.clear()
        cpu_started, started = time.process_time(), time.perf_counter()
        answer = client.get(f"/forslag/?q={word}")
        search_cold.append(time.perf_counter() - started)
        search_cold_cpu += time.process_time() - cpu_started
        assert answer.status_code == 200, answer.status_code
    everything = [s for samples in index.values() for s in samples]
    Path(out).write_text(
        json.dumps(
            {
                "index_p99_ms": _p99(everything),
                "index_p50_ms": round(statistics.median(everything) * 1000, 1),
                "index_p99_ms_by_order": {order: _p99(s) for order, s in index.items()},
                "search_p99_ms": _p99(search),
                "search_p50_ms": round(statistics.median(search) * 1000, 1),
                "index_cpu_ms_per_page": round(index_cpu_ms, 1),
                "index_cold_p50_ms": round(statistics.median(cold) * 1000, 1),
                "index_cold_p99_ms": _p99(cold),
                "index_cold_cpu_ms_per_page": round(cold_cpu / len(cold) * 1000, 1),
                "search_cold_p50_ms": round(statistics.median(search_cold) * 1000, 1),
                "search_cold_p99_ms": _p99(search_cold),
                "search_cold_cpu_ms": round(search_cold_cpu / len(search_cold) * 1000, 1),
            }
        )
    )


def burst(seeded: str, part: int, parts: int, threads: int, start_at: float, out: str) -> None:
    _setup()
    from concurrent.futures import ThreadPoolExecutor

    from django.conf import settings
    from django.db import connection

    from samskab.accounts.models import User
    from samskab.proposals.models import Proposal
    from samskab.proposals.services import ProposalRefused, proposal_support

    data = json.loads(Path(seeded).read_text())
    people = data["burst_people"][part::parts]
    targets = data["targets"]
    users = {u.pk: u for u in User.objects.filter(pk__in=people)}
    proposals = {p.pk: p for p in Proposal.objects.filter(pk__in=targets)}
    work = [(users[pk], proposals[targets[pk % len(targets)]]) for pk in people]
    chunks = [work[i::threads] for i in range(threads)]
    connection.close()
    errors: list[str] = []

    pooled = bool(settings.DATABASES["default"].get("OPTIONS", {}).get("pool"))

    def run(chunk) -> int:
        done = 0
        try:
            for user, proposal in chunk:
                try:
                    proposal_support(proposal=proposal, user=user)
                    done += 1
                except ProposalRefused as refusal:
                    errors.append(refusal.message)
                except Exception as error:  # counted as lost, reported
                    errors.append(f"{type(error).__name__}: {error}")
                if pooled:
                    # As at the end of a request: the connection goes back to the pool.
                    connection.close()
        finally:
            connection.close()
        return done

    time.sleep(max(0.0, start_at - time.time()))
    cpu = time.process_time()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        done = sum(pool.map(run, chunks))
    ended = time.time()
    cpu = time.process_time() - cpu
    Path(out).write_text(
        json.dumps(
            {
                "done": done,
                "ended": ended,
                "cpu_s": cpu,
                "errors": errors[:5],
                "failed": len(errors),
            }
        )
    )


def verify(seeded: str, out: str) -> None:
    _setup()
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Count

    from samskab.proposals.models import Proposal
    from samskab.supports.models import Support, SupportCount

    data = json.loads(Path(seeded).read_text())
    kind = ContentType.objects.get_for_model(Proposal)
    burst_rows = Support.objects.filter(content_type=kind, user_id__in=data["burst_people"]).count()
    recount = dict(
        Support.objects.filter(content_type=kind, object_id__in=data["targets"])
        .values("object_id")
        .annotate(n=Count("pk"))
        .values_list("object_id", "n")
    )
    counters = dict(
        Proposal.objects.filter(pk__in=data["targets"]).values_list("pk", "support_count")
    )
    kernel = dict(
        SupportCount.objects.filter(content_type=kind, object_id__in=data["targets"]).values_list(
            "object_id", "count"
        )
    )
    over = sum(max(0, counters[pk] - recount.get(pk, 0)) for pk in counters)
    under = sum(max(0, recount.get(pk, 0) - counters[pk]) for pk in counters)
    kernel_off = sum(abs(kernel.get(pk, 0) - recount.get(pk, 0)) for pk in counters)
    twice = (
        Support.objects.filter(content_type=kind)
        .values("object_id", "user_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    Path(out).write_text(
        json.dumps(
            {
                "burst_rows": burst_rows,
                "counter_over": over,
                "counter_under": under,
                "kernel_counter_off": kernel_off,
                "people_twice": twice,
                "counters_equal_recount": over == under == kernel_off == 0,
            }
        )
    )


def _run(env: dict[str, str], *args: str) -> None:
    # Our own interpreter and module, with arguments we built: no outside input.
    subprocess.run(
        [sys.executable, "-m", "bench.proposals", *args], env=env, cwd=PROJECT_DIR, check=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--proposals", type=int, default=10_000)
    parser.add_argument("--supports", type=int, default=200_000)
    parser.add_argument("--burst", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--processes", type=int, default=0, help="2 on PostgreSQL, else 1")
    args = parser.parse_args()
    database = os.environ.get("DATABASE_URL", "")
    postgres = database.startswith("postgres")
    processes = args.processes or (2 if postgres else 1)
    directory = Path(tempfile.mkdtemp(prefix="bench-proposals-"))
    extra = {"LOG_LEVEL": "WARNING", "PROPOSALS_SUPPORTS_NEEDED": "100"}
    if postgres:
        extra["DATABASE_URL"] = database
    env = server_environment(directory, broker="memory://", **extra)
    env.pop("SAMSKAB_TESTING", None)
    if postgres:
        subprocess.run(
            [sys.executable, "-m", "samskab.cli", "flush", "--no-input"],
            env=env,
            cwd=PROJECT_DIR,
            check=False,
            capture_output=True,
        )
    prepare_database(env)
    seeded = directory / "seed.json"
    started = time.time()
    _run(env, "seed", str(args.proposals), str(args.supports), str(args.burst), str(seeded))
    seed_seconds = time.time() - started
    measured = directory / "reads.json"
    _run(env, "reads", str(measured))
    threads = max(1, args.connections // processes)
    start_at = time.time() + 15  # every process has set Django up and loaded its people
    outs = [directory / f"burst-{i}.json" for i in range(processes)]
    workers = [
        subprocess.Popen(  # our own module, arguments we built
            [
                sys.executable,
                "-m",
                "bench.proposals",
                "burst",
                str(seeded),
                str(i),
                str(processes),
                str(threads),
                str(start_at),
                str(outs[i]),
            ],
            env=env,
            cwd=PROJECT_DIR,
        )
        for i in range(processes)
    ]
    for worker in workers:
        worker.wait()
    bursts = [json.loads(out.read_text()) for out in outs]
    elapsed = max(b["ended"] for b in bursts) - start_at
    checked = directory / "verify.json"
    _run(env, "verify", str(seeded), str(checked))
    check = json.loads(checked.read_text())
    seeded_data = json.loads(seeded.read_text())
    report = {
        "database": "postgresql" if postgres else "sqlite",
        "proposals": args.proposals,
        "seeded_supports": seeded_data["seeded_supports"],
        "seed_seconds": round(seed_seconds, 1),
        **json.loads(measured.read_text()),
        "burst": args.burst,
        "processes": processes,
        "connections": threads * processes,
        # DATABASE_POOL_SIZE: the callers share that many database connections per process
        # (a server with fewer connections than callers); 0: one connection per caller.
        "db_pool_per_process": int(os.environ.get("DATABASE_POOL_SIZE", "0") or 0),
        "supports_per_s": round(sum(b["done"] for b in bursts) / elapsed, 1),
        "burst_seconds": round(elapsed, 2),
        # Python's CPU per support in the burst processes (PostgreSQL's own is not in it).
        "burst_cpu_ms_per_support": round(
            sum(b["cpu_s"] for b in bursts) / max(1, sum(b["done"] for b in bursts)) * 1000, 2
        ),
        "lost": args.burst - check["burst_rows"],
        "double": check["counter_over"] + check["people_twice"],
        "failed": sum(b["failed"] for b in bursts),
        "errors": [e for b in bursts for e in b["errors"]][:5],
        **check,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "seed":
        seed(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    elif command == "reads":
        reads(sys.argv[2])
    elif command == "burst":
        burst(
            sys.argv[2],
            int(sys.argv[3]),
            int(sys.argv[4]),
            int(sys.argv[5]),
            float(sys.argv[6]),
            sys.argv[7],
        )
    elif command == "verify":
        verify(sys.argv[2], sys.argv[3])
    else:
        main()
