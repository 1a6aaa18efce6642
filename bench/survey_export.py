"""survey_export: a large survey's answers to CSV, as staff download it from the admin.

    make bench-survey-export
    python -m bench.survey_export --respondents 100000

Sets up its own SQLite database (or PostgreSQL with --postgres) with one survey of 20
questions of every kind (single and multiple choice, free text with Danish letters, number,
scales, ranking, matrix) and 100,000 responses, then, in a fresh process, runs the admin's
CSV view (the same streaming response the browser downloads) and reads it to the end.
Reports respondents per second and the exporting process's peak memory (its whole
resident set, Django included; `peak_mb_growth` is the part the export added).

In the same process it then only reads the rows and decodes their JSON with orjson (the
floor of any export from this table); `ratio_to_read_only` is the export's rate over that floor.

Ends with one JSON line: respondents, columns, respondents_per_s, respondents_per_cpu_s
(the export process's own CPU time), peak_mb, peak_mb_growth, megabytes, read_only_per_s,
ratio_to_read_only.
Targets: at least 50,000 respondents/s and under 150 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from samskab.live.testing import PROJECT_DIR, prepare_database, server_environment

RESPONDENTS = 100_000
KINDS = ["single", "multiple", "text", "number", "scale5", "scale10", "ranking", "matrix"]
POSTGRES_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def seed(respondents: int) -> None:
    import django

    django.setup()
    import random
    from datetime import timedelta

    from django.utils import timezone

    from samskab.surveys.models import Choice, Question, Response, Survey

    survey = Survey.objects.create(
        title_da="Borgerpanel om trafik og grønne områder",
        slug="bench-export",
        status=Survey.Status.OPEN,
    )
    questions = []
    for n in range(20):
        kind = KINDS[n % len(KINDS)]
        question = Question.objects.create(
            survey=survey, kind=kind, position=n, text_da=f"Spørgsmål {n + 1}: Hvad mener du?"
        )
        labels = ["Meget enig", "Enig", "Hverken eller", "Uenig", "Meget uenig"]
        choices = Choice.objects.bulk_create(
            Choice(question=question, text_da=label, position=p) for p, label in enumerate(labels)
        )
        rows = []
        if kind == "matrix":
            rows = Choice.objects.bulk_create(
                Choice(question=question, text_da=label, position=p, is_row=True)
                for p, label in enumerate(["Grønne områder", "Cykelstier", "Parkering"])
            )
        questions.append((question, [c.pk for c in choices], [r.pk for r in rows]))

    rng = random.Random(3)
    texts = [
        "Flere træer på Torvet og bænke ved åen.",
        "Bedre belysning på stien ved skolen; det er mørkt om vinteren.",
        "=SUM(A1:A9) burde ikke blive en formel",
        "Færre biler i bymidten, tak! Æbler, øl og ål.",
        "",
    ]
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=30)

    def answers() -> dict:
        out: dict = {}
        for question, choices, rows in questions:
            key = str(question.pk)
            if question.kind == "single":
                out[key] = rng.choice(choices)
            elif question.kind == "multiple":
                out[key] = rng.sample(choices, rng.randint(0, 3))
            elif question.kind == "text":
                text = rng.choice(texts)
                if text:
                    out[key] = text
            elif question.kind == "number":
                out[key] = rng.choice([rng.randint(15, 90), round(rng.uniform(0, 10), 1)])
            elif question.kind == "scale5":
                out[key] = rng.randint(1, 5)
            elif question.kind == "scale10":
                out[key] = rng.randint(0, 10)
            elif question.kind == "ranking":
                out[key] = rng.sample(choices, len(choices))
            elif question.kind == "matrix":
                out[key] = {str(r): rng.choice(choices) for r in rows}
        return out

    batch = []
    for n in range(respondents):
        batch.append(
            Response(
                survey=survey,
                answers=answers(),
                submitted_at=start + timedelta(hours=n * 720 // respondents),
            )
        )
        if len(batch) == 5000:
            Response.objects.bulk_create(batch)
            batch = []
    Response.objects.bulk_create(batch)
    print(json.dumps({"survey": survey.pk}))


def export(survey_pk: int) -> None:
    """In a fresh process: the admin's CSV view, read to the end like a download."""
    import django

    django.setup()
    from django.contrib.admin import site
    from django.test import RequestFactory

    from samskab.accounts.models import User
    from samskab.surveys.models import Survey

    user, _ = User.objects.get_or_create(email="export@bench.test")
    user.is_staff = user.is_superuser = True
    user.save()
    admin = site._registry[Survey]
    request = RequestFactory().get(f"/admin/surveys/survey/{survey_pk}/csv/")
    request.user = user
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    cpu_started = time.process_time()
    response = admin.csv_view(request, survey_pk)
    size = lines = 0
    header = b""
    for chunk in response.streaming_content:
        if not header:
            header = chunk
        size += len(chunk)
        lines += chunk.count(b"\r\n")
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # The floor in the same process: only reading the rows and decoding their JSON (with
    # orjson, as the export does).
    import orjson

    from samskab.surveys.selectors import response_rows, responses

    started = time.perf_counter()
    read = sum(
        1
        for _at, answers in response_rows(responses(Survey.objects.get(pk=survey_pk)))
        if orjson.loads(answers) is not None
    )
    read_seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "respondents": lines - 1,
                "columns": header.split(b"\r\n")[0].decode("utf-8-sig").count(";") + 1,
                "seconds": elapsed,
                "cpu_seconds": cpu,
                "bytes": size,
                "peak_kb": peak,
                "read_per_s": read / read_seconds,
                "start_kb": before,
            }
        )
    )


def run_module(env: dict, *args: str) -> dict:
    done = subprocess.run(  # our interpreter, our module, our arguments
        [sys.executable, "-m", "bench.survey_export", *args],
        env=env,
        cwd=PROJECT_DIR,
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.exit(f"bench.survey_export {' '.join(args)} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def postgres_database(name: str, *, drop: bool = False) -> str:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not drop:
            admin.execute(f'CREATE DATABASE "{name}"')
    return POSTGRES_ADMIN.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=RESPONDENTS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--export", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        return seed(args.respondents)
    if args.export:
        return export(args.export)

    work = Path(tempfile.mkdtemp(prefix="samskab-survey-export-"))
    database = f"samskab_survey_export_{os.getpid()}"
    extra = {"DEBUG": "0", "LOG_LEVEL": "WARNING"}
    if args.postgres:
        extra["DATABASE_URL"] = postgres_database(database)
    env = server_environment(work, broker="memory://", **extra)
    try:
        prepare_database(env)
        started = time.perf_counter()
        survey = run_module(env, "--seed", "--respondents", str(args.respondents))["survey"]
        seeded = time.perf_counter() - started
        runs = [run_module(env, "--export", str(survey)) for _ in range(args.runs)]
    finally:
        if args.postgres:
            postgres_database(database, drop=True)
        shutil.rmtree(work, ignore_errors=True)

    runs.sort(key=lambda run: run["seconds"])
    median = runs[len(runs) // 2]
    line = {
        "bench": "survey_export",
        "database": "postgresql" if args.postgres else "sqlite",
        "respondents": median["respondents"],
        "questions": 20,
        "columns": median["columns"],
        "respondents_per_s": round(median["respondents"] / median["seconds"]),
        "seconds": round(median["seconds"], 2),
        # On a machine shared with other work, the export's own CPU time says more.
        "respondents_per_cpu_s": round(median["respondents"] / median["cpu_seconds"]),
        "read_only_per_s": round(median["read_per_s"]),
        "ratio_to_read_only": round(
            median["respondents"] / median["seconds"] / median["read_per_s"], 2
        ),
        "megabytes": round(median["bytes"] / 1e6, 1),
        "peak_mb": round(max(run["peak_kb"] for run in runs) / 1024, 1),
        "peak_mb_growth": round(max(run["peak_kb"] - run["start_kb"] for run in runs) / 1024, 1),
        "runs": args.runs,
        "seed_seconds": round(seeded, 1),
        "target_respondents_per_s": 50_000,
        "target_peak_mb": 150,
        "machine": f"{os.cpu_count()} cores, {platform.machine()}",
    }
    print(json.dumps(line))
    if line["respondents"] != args.respondents:
        sys.exit("the export lost respondents")


if __name__ == "__main__":
    main()
