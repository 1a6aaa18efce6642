"""Benchmark: counting the Wieliczka 2023 Green Budget by the Method of Equal Shares with Add1.

Times our exact count (median of several runs) and, in the same run, pabutools (the academic
Python reference; `pip install -e '.[bench]'`) on the same definition, and checks that both find
the official winners. Two definitions are measured, each against its pabutools equivalent:
- Add1 as Wieliczka counted it (raise shares until the next outcome would exceed the budget),
  from the exact share budget/voters: pabutools' `exhaustion_by_budget_increase(...,
  exhaustive_stop=False, budget_step=voters)`.
- Add1 that also stops when the outcome is exhaustive: pabutools' `method_of_equal_shares(...,
  voter_budget_increment=1)`. This one does not give the official outcome (see the docs).

A second, synthetic election shaped like a Danish heading (2,000,000 DKK, 300 voters, 25
projects, seeded) shows Add1 over a long climb: the share must rise from 6,666 to tens of
thousands, one krone at a time, and passes that certify how far their outcome holds skip most
of the way. `--peer-synthetic` times pabutools on it too (slow: a full MES run per krone).

    python -m bench.budget_counting [--file PATH] [--runs 5] [--peer-runs 3] [--peer-synthetic]

Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from samskab.budgets import pabulib
from samskab.budgets.counting import Completion, Election, Utility, equal_shares

FILE = "poland_wieliczka_2023_green-budget.pb"


def find_file() -> Path:
    root = Path(__file__).resolve().parents[1]
    places = [root.parent / "shared", root.parent.parent / "shared"]
    if os.environ.get("SAMSKAB_SHARED"):
        places.insert(0, Path(os.environ["SAMSKAB_SHARED"]))
    for place in places:
        path = place / "data" / "pabulib" / FILE
        if path.exists():
            return path
    sys.exit(f"{FILE} not found in ../shared/data/pabulib; pass --file or set SAMSKAB_SHARED")


def danish_heading(seed: int = 1) -> Election:
    """A made-up heading: costs spread like real PB projects, popularity very uneven, ballots of
    one to five projects (many of one), 300 voters sharing 2,000,000."""
    rng = random.Random(seed)
    costs = {f"p{i}": int(rng.lognormvariate(11.5, 0.8)) for i in range(25)}
    popularity = [rng.random() ** 2 for _ in costs]
    ballots = [
        frozenset(rng.choices(list(costs), weights=popularity, k=rng.choice([1, 1, 2, 3, 4, 5])))
        for _ in range(300)
    ]
    return Election(budget=2_000_000, costs=costs, approvals=ballots)


CPU: dict[str, float] = {}  # label -> median CPU milliseconds, steadier than wall time here


def median_ms(count: Callable[[], set[str]], runs: int, label: str = "") -> tuple[float, set[str]]:
    """Median wall milliseconds (and, under `label`, median CPU milliseconds) of `runs` counts.

    On a machine shared with other jobs the wall time of a phase depends on what else runs just
    then; the CPU time this process used does much less, so both are reported.
    """
    times, cpu, winners = [], [], set()
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        winners = count()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    if label:
        CPU[label] = statistics.median(cpu)
    return statistics.median(times), winners


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=5, help="runs of our count (median)")
    parser.add_argument("--peer-runs", type=int, default=3, help="runs of pabutools (median)")
    parser.add_argument("--peer-synthetic", action="store_true", help="pabutools on it too")
    args = parser.parse_args()
    path = args.file or find_file()

    instance = pabulib.read(path)
    official = set(instance.selected())
    election = instance.election()

    def ours(completion: Completion) -> Callable[[], set[str]]:
        return lambda: set(
            equal_shares(
                election, utility=Utility.COST, completion=completion, integral_start=False
            ).winners
        )

    figures: dict[str, object] = {"bench": "budget_counting", "election": "wieliczka_2023"}
    ours_ms, ours_winners = median_ms(ours(Completion.ADD1), args.runs, "ours")
    ours_e_ms, ours_e_winners = median_ms(
        ours(Completion.ADD1_EXHAUSTIVE), args.runs, "ours_exhaustive"
    )
    figures |= {"ours_ms": round(ours_ms, 1), "ours_exhaustive_ms": round(ours_e_ms, 1)}
    print(f"ours: add1 {ours_ms:.1f} ms, add1 stopping when exhaustive {ours_e_ms:.1f} ms")

    matches = ours_winners == official
    try:
        from pabutools.election import Cost_Sat, parse_pabulib
        from pabutools.rules import exhaustion_by_budget_increase, method_of_equal_shares
    except ImportError:
        print("pabutools is not installed (pip install -e '.[bench]'): comparing with nothing")
        figures |= {"pabutools_ms": None, "ratio": None}
    else:
        peer_instance, profile = parse_pabulib(str(path))
        multiprofile = profile.as_multiprofile()
        voters = profile.num_ballots()

        def peer_add1() -> set[str]:
            allocation = exhaustion_by_budget_increase(
                peer_instance,
                multiprofile,
                method_of_equal_shares,
                {"sat_class": Cost_Sat},
                exhaustive_stop=False,
                budget_step=voters,  # one currency unit more for every voter
            )
            return {p.name for p in allocation}

        def peer_add1_exhaustive() -> set[str]:
            allocation = method_of_equal_shares(
                peer_instance, multiprofile, sat_class=Cost_Sat, voter_budget_increment=1
            )
            return {p.name for p in allocation}

        peer_ms, peer_winners = median_ms(peer_add1, args.peer_runs, "pabutools")
        peer_e_ms, peer_e_winners = median_ms(
            peer_add1_exhaustive, args.peer_runs, "pabutools_exhaustive"
        )
        print(f"pabutools: add1 {peer_ms:.1f} ms, stopping when exhaustive {peer_e_ms:.1f} ms")
        matches = matches and peer_winners == official
        figures |= {
            "pabutools_ms": round(peer_ms, 1),
            "ratio": round(peer_ms / ours_ms, 1),
            "pabutools_exhaustive_ms": round(peer_e_ms, 1),
            "exhaustive_ratio": round(peer_e_ms / ours_e_ms, 1),
            "exhaustive_same_winners": peer_e_winners == ours_e_winners,
            "cpu_ratio": round(CPU["pabutools"] / CPU["ours"], 1),
            "exhaustive_cpu_ratio": round(CPU["pabutools_exhaustive"] / CPU["ours_exhaustive"], 1),
        }

    heading = danish_heading()
    synthetic_ms, _ = median_ms(lambda: set(equal_shares(heading).winners), args.runs)
    counted = equal_shares(heading)
    steps = int((counted.endowment or 0) - (counted.first_endowment or 0)) + 1
    figures |= {
        "synthetic_ms": round(synthetic_ms, 1),
        "synthetic_endowment_steps": steps,
        "synthetic_passes": counted.runs,
    }
    print(f"synthetic heading: {steps} shares to try, {counted.runs} passes, {synthetic_ms:.1f} ms")
    if args.peer_synthetic:
        from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance
        from pabutools.election import Project as PeerProject
        from pabutools.rules import method_of_equal_shares as peer_mes

        projects = {p: PeerProject(p, c) for p, c in heading.costs.items()}
        peer_instance = Instance(projects.values(), budget_limit=heading.budget)
        peer_profile = ApprovalProfile(
            [ApprovalBallot(projects[p] for p in ballot) for ballot in heading.approvals]
        )

        def peer_synthetic() -> set[str]:
            allocation = peer_mes(
                peer_instance, peer_profile.as_multiprofile(), sat_class=Cost_Sat,
                voter_budget_increment=1,
            )  # fmt: skip
            return {p.name for p in allocation}

        ours_s_ms, ours_s_winners = median_ms(
            lambda: set(
                equal_shares(
                    heading, completion=Completion.ADD1_EXHAUSTIVE, integral_start=False
                ).winners
            ),
            args.runs,
            "synthetic_exhaustive",
        )
        peer_s_ms, peer_s_winners = median_ms(peer_synthetic, 1, "synthetic_pabutools_exhaustive")
        print(f"synthetic add1e: ours {ours_s_ms:.1f} ms, pabutools {peer_s_ms:.1f} ms")
        figures |= {
            "synthetic_exhaustive_ms": round(ours_s_ms, 1),
            "synthetic_pabutools_exhaustive_ms": round(peer_s_ms, 1),
            "synthetic_exhaustive_ratio": round(peer_s_ms / ours_s_ms, 1),
            "synthetic_same_winners": peer_s_winners == ours_s_winners,
            "synthetic_exhaustive_cpu_ratio": round(
                CPU["synthetic_pabutools_exhaustive"] / CPU["synthetic_exhaustive"], 1
            ),
        }
    figures |= {f"{label}_cpu_ms": round(ms, 1) for label, ms in CPU.items()}
    figures |= {
        "winners_match_official": matches,
        "exhaustive_matches_official": ours_e_winners == official,
        "runs": args.runs,
        "peer_runs": args.peer_runs,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
