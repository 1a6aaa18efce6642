"""Benchmark `samskab pb tally`'s counting against pabutools, on the same instances, same run.

The Method of Equal Shares with cost utilities and Add1 (raise every voter's share by one unit
at a time from budget/voters, keep the last outcome within the budget), as issue 8 defines it:
- synthetic: 50 projects costing 10,000-500,000, 20,000 approval voters approving 1-8 each,
  budget 2,000,000 (seeded). Ours, and pabutools' `exhaustion_by_budget_increase(instance,
  profile, method_of_equal_shares, {"sat_class": Cost_Sat}, budget_step=<voters>,
  exhaustive_stop=False)`, which needs minutes here (`--no-peer` skips it).
- large: 500 projects, 200,000 voters, the same shape; ours only (target under 10 s).
- Wieliczka 2023 Green Budget (../shared/data/pabulib): must give the official 30 projects,
  995,079; ours and pabutools.
- whole commands (`samskab pb tally FILE`, parsing included, in a child process whose peak
  RSS is read from the kernel): the largest file (100 projects, 200,000 uneven approval
  voters, about 5 MB, rule equalshares/add1), and the security review's worst case (L3):
  200 projects, voters approving 5 each uniformly at random (`--worst-voters`, default
  200,000, the issue's target), budget a third of all costs. Each also reports its CPU
  seconds (`*_cpu_seconds`, the child's user + system time) and the load average.

Both start Add1 at the exact budget/voters (pabutools does not round) and break ties the same
way (project id as text, pabutools' `lexico_tie_breaking`). Ours: median wall time of
`--runs` counts; pabutools: one run (it is slow). Ends with one JSON line: `seconds` (ours,
50 x 20,000), `peer_seconds` (pabutools, same), `identical` (every compared outcome equal).

    python -m bench.pb_tally [--runs 3] [--no-peer] [--peer-cache FILE] [--voters 20000]
        [--projects 50] [--no-large]

`--peer-cache FILE` keeps pabutools' winners and seconds per instance (keyed by a hash of the
instance) in a JSON file and reuses them on the next run: the peer's outcome on a fixed seeded
instance cannot change, and it takes many minutes. The JSON line then says `peer_cached`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from samskab.budgets import pabulib
from samskab.budgets.counting import Completion, Election, TieBreaking, Utility, equal_shares

WIELICZKA = "poland_wieliczka_2023_green-budget.pb"
OFFICIAL_COST = 995_079


def synthetic(projects: int, voters: int, seed: int = 8, budget: int = 2_000_000) -> Election:
    """Projects p000... with costs 10,000-500,000; each voter approves 1 to 8 of them, some
    projects far more popular than others. Identical ballots are stored once with a count."""
    rng = random.Random(seed)
    width = len(str(projects - 1))
    ids = [f"p{i:0{width}d}" for i in range(projects)]
    costs = {p: rng.randint(10_000, 500_000) for p in ids}
    popularity = [rng.random() ** 2 + 0.01 for _ in ids]
    counts: dict[frozenset[str], int] = {}
    for _ in range(voters):
        size = rng.randint(1, 8)
        ballot: set[str] = set()
        while len(ballot) < size:
            ballot.update(rng.choices(ids, weights=popularity, k=size - len(ballot)))
        key = frozenset(ballot)
        counts[key] = counts.get(key, 0) + 1
    return Election(
        budget=budget, costs=costs, approvals=list(counts), counts=list(counts.values())
    )


def ours(election: Election) -> tuple[str, ...]:
    return equal_shares(
        election,
        utility=Utility.COST,
        completion=Completion.ADD1,
        integral_start=False,
        tie_breaking=TieBreaking.ID,
    ).winners


def timed(count, runs: int) -> tuple[float, float, tuple[str, ...]]:
    """Median wall and median CPU seconds of `runs` counts, and the winners. On a machine
    shared with other work the CPU time is the steadier figure."""
    times, cpu_times, winners = [], [], ()
    for _ in range(runs):
        start, cpu_start = time.perf_counter(), time.process_time()
        winners = count()
        cpu_times.append(time.process_time() - cpu_start)
        times.append(time.perf_counter() - start)
    return statistics.median(times), statistics.median(cpu_times), winners


def peer(election: Election) -> tuple[float, set[str]]:
    """pabutools' Add1 on the same election: seconds and winners."""
    from pabutools.election import ApprovalBallot, ApprovalMultiProfile, Cost_Sat, Instance
    from pabutools.election import Project as PeerProject
    from pabutools.rules import exhaustion_by_budget_increase, method_of_equal_shares

    projects = {p: PeerProject(p, c) for p, c in election.costs.items()}
    instance = Instance(projects.values(), budget_limit=election.budget)
    profile = ApprovalMultiProfile(instance=instance)
    for ballot, count in zip(election.approvals, election.ballot_counts(), strict=True):
        frozen = ApprovalBallot(projects[p] for p in ballot).frozen()
        profile[frozen] = profile.get(frozen, 0) + count
    start = time.perf_counter()
    allocation = exhaustion_by_budget_increase(
        instance,
        profile,
        method_of_equal_shares,
        {"sat_class": Cost_Sat},
        budget_step=election.voters,
        exhaustive_stop=False,
    )
    return time.perf_counter() - start, {p.name for p in allocation}


def instance_key(election: Election) -> str:
    text = json.dumps(
        [election.budget, sorted(election.costs.items()),
         sorted((sorted(b), c) for b, c in zip(election.approvals, election.ballot_counts(),
                                                strict=True))]
    )  # fmt: skip
    return hashlib.sha256(text.encode()).hexdigest()


def cached_peer(election: Election, cache: Path | None) -> tuple[float, set[str], bool]:
    """pabutools' seconds and winners, from `cache` when it has this instance (then True)."""
    if cache is None:
        return (*peer(election), False)
    stored = json.loads(cache.read_text()) if cache.exists() else {}
    key = instance_key(election)
    if key in stored:
        return stored[key]["seconds"], set(stored[key]["winners"]), True
    seconds, winners = peer(election)
    stored = json.loads(cache.read_text()) if cache.exists() else {}
    stored[key] = {"seconds": seconds, "winners": sorted(winners)}
    cache.write_text(json.dumps(stored, indent=1))
    return seconds, winners, False


def uniform(projects: int, voters: int, seed: int = 3) -> Election:
    """Every voter approves 5 projects uniformly at random: almost every ballot differs."""
    rng = random.Random(seed)
    ids = [f"p{i:03d}" for i in range(projects)]
    costs = {p: rng.randint(10_000, 500_000) for p in ids}
    ballots = [frozenset(rng.sample(ids, 5)) for _ in range(voters)]
    return Election(budget=sum(costs.values()) // 3, costs=costs, approvals=ballots)


def _command_environment(folder: Path) -> dict[str, str]:
    """The child's environment: Python's compiled modules cached (in `folder`), as in an
    installed Samskab, even where PYTHONDONTWRITEBYTECODE is set (compiling every module
    again cost a tenth of the largest file's time)."""
    env = dict(os.environ, PYTHONPYCACHEPREFIX=str(folder / "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _command(path: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from samskab.cli import main; main()",
            "pb",
            "tally",
            str(path),
            "--format=json",
        ],
        stdout=subprocess.DEVNULL,
        env=env,
    )


def whole_command(election: Election, folder: Path, name: str) -> dict[str, float]:
    """`samskab pb tally` on `election` written as a .pb file: seconds, peak MB, file MB."""
    path = folder / f"{name}.pb"
    path.write_text(
        pabulib.write(pabulib.from_election(election, meta={"rule": "equalshares/add1"}))
    )
    env = _command_environment(folder)
    if not (folder / "pycache").exists():  # a first run on a small file compiles the modules
        tiny = folder / "tiny.pb"
        tiny.write_text(
            pabulib.write(
                pabulib.from_election(synthetic(10, 10), meta={"rule": "equalshares/add1"})
            )
        )
        if _command(tiny, env).wait():
            raise SystemExit("samskab pb tally failed on a tiny file")
    start = time.perf_counter()
    child = _command(path, env)
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if status:
        raise SystemExit(f"samskab pb tally failed on {name}")
    return {
        "seconds": round(seconds, 2),
        # The machine may be shared: the child's own CPU time is the steadier figure.
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_mb": round(usage.ru_maxrss / 1024),
        "file_mb": round(path.stat().st_size / 2**20, 1),
    }


def find_wieliczka() -> Path | None:
    root = Path(__file__).resolve().parents[1]
    places = [root.parent / "shared", root.parent.parent / "shared"]
    if os.environ.get("SAMSKAB_SHARED"):
        places.insert(0, Path(os.environ["SAMSKAB_SHARED"]))
    return next(
        (
            p / "data/pabulib" / WIELICZKA
            for p in places
            if (p / "data/pabulib" / WIELICZKA).exists()
        ),
        None,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--voters", type=int, default=20_000)
    parser.add_argument("--no-peer", action="store_true", help="do not run pabutools")
    parser.add_argument("--no-large", action="store_true", help="skip 500 x 200,000")
    parser.add_argument("--peer-cache", type=Path, help="reuse pabutools' outcomes from this file")
    parser.add_argument("--worst-voters", type=int, default=200_000)
    parser.add_argument("--no-commands", action="store_true", help="skip the whole commands")
    args = parser.parse_args()
    figures: dict[str, object] = {
        "bench": "pb_tally",
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    identical = True

    election = synthetic(args.projects, args.voters)
    seconds, cpu, winners = timed(lambda: ours(election), args.runs)
    cost = sum(election.costs[p] for p in winners)
    print(
        f"{args.projects} x {args.voters}: ours {seconds:.3f} s wall, {cpu:.3f} s CPU, "
        f"{len(winners)} projects, {cost}"
    )
    figures |= {
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "winners": len(winners),
        "cost": cost,
    }
    peer_seconds = None
    try:
        import pabutools  # noqa: F401
    except ImportError:
        print("pabutools is not installed (pip install -e '.[bench]'): comparing with nothing")
        args.no_peer = True
    if not args.no_peer:
        peer_seconds, peer_winners, cached = cached_peer(election, args.peer_cache)
        figures["peer_cached"] = cached
        same = peer_winners == set(winners)
        identical = identical and same
        print(f"{args.projects} x {args.voters}: pabutools {peer_seconds:.1f} s, same: {same}")
        figures["ratio"] = round(peer_seconds / seconds, 1)
    figures["peer_seconds"] = None if peer_seconds is None else round(peer_seconds, 1)

    if not args.no_large:
        large = synthetic(500, 200_000, seed=9)
        large_seconds, large_cpu, large_winners = timed(lambda: ours(large), 1)
        large_cost = sum(large.costs[p] for p in large_winners)
        print(
            f"500 x 200000: ours {large_seconds:.2f} s wall, {large_cpu:.2f} s CPU, "
            f"{len(large_winners)} projects, {large_cost}"
        )
        figures |= {
            "large_seconds": round(large_seconds, 2),
            "large_cpu_seconds": round(large_cpu, 2),
            "large_winners": len(large_winners),
            "large_cost": large_cost,
        }

    path = find_wieliczka()
    if path is None:
        print(f"{WIELICZKA} not found in ../shared/data/pabulib (set SAMSKAB_SHARED)")
    else:
        instance = pabulib.read(path)
        official = set(instance.selected())
        w_election = instance.election()
        w_seconds, w_cpu, w_winners = timed(lambda: ours(w_election), args.runs)
        w_cost = sum(w_election.costs[p] for p in w_winners)
        official_match = set(w_winners) == official and w_cost == OFFICIAL_COST
        identical = identical and official_match
        print(f"Wieliczka: ours {w_seconds:.3f} s, {len(w_winners)} projects, {w_cost}")
        figures |= {
            "wieliczka_seconds": round(w_seconds, 3),
            "wieliczka_cpu_seconds": round(w_cpu, 3),
            "wieliczka_projects": len(w_winners),
            "wieliczka_cost": w_cost,
            "wieliczka_official": official_match,
        }
        if not args.no_peer:
            wp_seconds, wp_winners, _cached = cached_peer(w_election, args.peer_cache)
            identical = identical and wp_winners == official
            print(f"Wieliczka: pabutools {wp_seconds:.1f} s, official: {wp_winners == official}")
            figures["wieliczka_peer_seconds"] = round(wp_seconds, 2)
    if not args.no_commands:
        with tempfile.TemporaryDirectory() as folder:
            largest = whole_command(synthetic(100, 200_000, seed=10), Path(folder), "largest")
            print(f"largest file ({largest['file_mb']} MB): {largest}")
            worst = whole_command(uniform(200, args.worst_voters), Path(folder), "worst")
            print(f"uniform 200 x {args.worst_voters}: {worst}")
        figures |= {
            "largest_file_mb": largest["file_mb"],
            "largest_file_seconds": largest["seconds"],
            "largest_file_cpu_seconds": largest["cpu_seconds"],
            "largest_file_peak_mb": largest["peak_mb"],
            "worst_case_voters": args.worst_voters,
            "worst_case_seconds": worst["seconds"],
            "worst_case_cpu_seconds": worst["cpu_seconds"],
            "worst_case_peak_mb": worst["peak_mb"],
        }
    figures["load_average"] = [round(x, 2) for x in os.getloadavg()]
    figures["identical"] = identical
    print(json.dumps(figures))
    sys.exit(0 if identical else 1)


if __name__ == "__main__":
    main()
