"""`samskab pb tally FILE.pb`, without Django: reading and counting a file needs no settings,
database or apps, and starting Django costs more than counting most files (1-2 s).

`samskab.cli` runs it straight away; the `pb` management command uses the same arguments and
the same code, so `call_command("pb", "tally", ...)` and the console give the same output.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections.abc import Sequence
from typing import Any

from samskab.budgets import pabulib
from samskab.budgets.counting import Completion, Outcome, TieBreaking, Utility

COMPLETIONS = {
    "none": Completion.NONE,
    "add1": Completion.ADD1,
    "add1-greedy": Completion.ADD1_UTILITARIAN,
    "greedy": Completion.UTILITARIAN,
}


class TallyError(Exception):
    """The file cannot be counted (the message says which file and why)."""


def add_tie_break_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tie-break",
        choices=[t.value for t in TieBreaking],
        default=TieBreaking.COST_VOTES.value,
        help="Who wins a tie: lower cost then more votes (default), the lower project "
        "id as text (pabutools), or more votes then the higher id (CONSUL).",
    )


def add_tally_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file")
    add_tie_break_argument(parser)
    parser.add_argument(
        "--rule",
        choices=[*pabulib.RULES, "mes"],
        help="Count by this rule instead of the file's META rule ('mes': Equal Shares "
        "with --completion).",
    )
    parser.add_argument("--utility", choices=[u.value for u in Utility], default="cost")
    parser.add_argument(
        "--completion",
        choices=list(COMPLETIONS),
        help="Equal Shares' completion (default: the one the rule names; add1 for 'mes').",
    )
    parser.add_argument(
        "--threshold",
        type=int,
        help="The score a project needs (default: META min_project_score_threshold).",
    )
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument(
        "--as-approval",
        action="store_true",
        help="Count ranked or scored ballots as approval of every project listed.",
    )


def tally(options: dict[str, Any]) -> list[str]:
    """The lines `pb tally` prints for `options` (as parsed by `add_tally_arguments`)."""
    try:
        instance = pabulib.read(options["file"])
    except FileNotFoundError:
        raise TallyError(f"No such file: {options['file']}") from None
    except (pabulib.PabulibError, ValueError, UnicodeDecodeError) as error:
        raise TallyError(f"{options['file']}: {error}") from None
    rule = options["rule"]
    completion = options["completion"]
    if rule == "mes":
        rule, completion = "equalshares", completion or "add1"
    try:
        outcome = pabulib.tally(
            instance,
            rule=rule,
            completion=None if completion is None else COMPLETIONS[completion],
            utility=Utility(options["utility"]),
            tie_breaking=TieBreaking(options["tie_break"]),
            min_score=options["threshold"],
            explain=False,  # (only the winners are printed)
        )
    except (pabulib.PabulibError, ValueError) as error:
        raise TallyError(f"{options['file']}: {error}") from None
    except OverflowError:
        # Files read here are bounded (pabulib.MAX_AMOUNT); this is the last guard.
        raise TallyError(f"{options['file']}: an amount is too large to count.") from None
    report = compare(instance, outcome)
    selected = list(outcome.winners)
    if options["format"] == "json":
        return [
            json.dumps({"selected": selected, "cost": outcome.cost, "rule": outcome.rule} | report)
        ]
    return [
        f"Selected ({len(selected)}): {' '.join(selected)}",
        f"Cost: {outcome.cost} of {instance.budget}",
        f"Rule: {rule or instance.rule} (counted as {outcome.rule})",
        describe(report),
    ]


def compare(instance: pabulib.PabulibFile, outcome: Outcome) -> dict[str, Any]:
    """Whether `outcome` gives the file's `selected` projects (None: the file marks none)."""
    official = set(instance.selected())
    if not official:
        return {"reproduces": None}
    ours = set(outcome.winners)
    order = [p.project_id for p in instance.projects]
    return {
        "reproduces": ours == official,
        "missing": [p for p in order if p in official - ours],
        "extra": [p for p in order if p in ours - official],
    }


def describe(report: dict[str, Any]) -> str:
    if report["reproduces"] is None:
        return "The file marks no selected projects to compare with."
    if report["reproduces"]:
        return "Reproduces the file's selected projects."
    missing = " ".join(report["missing"]) or "-"
    extra = " ".join(report["extra"]) or "-"
    return (
        f"Differs from the file's selected projects: not selected here {missing}; "
        f"selected here only {extra}."
    )


def main(argv: Sequence[str]) -> int | None:
    """Run `pb tally` with `argv` (what follows `pb tally`): the exit status, or None when an
    argument is one only Django's command knows (--settings, --traceback, ...): then the caller
    goes through Django."""
    if any(a in ("-h", "--help") for a in argv):
        return None  # Django's help, with its common options
    parser = argparse.ArgumentParser(prog="samskab pb tally", add_help=False)
    add_tally_arguments(parser)
    try:
        options, unknown = parser.parse_known_args(list(argv))
    except SystemExit:
        return None  # let Django's parser say what is wrong, as it always has
    if unknown:
        return None
    # A count makes many objects and no garbage worth collecting before the process ends: the
    # cyclic collector would only walk them over and over (docs/budgets.md, "Speed").
    gc.disable()
    try:
        lines = tally(vars(options))
    except TallyError as error:
        # As Django prints a CommandError.
        sys.stderr.write(f"CommandError: {error}\n")
        return 1
    sys.stdout.write("".join(f"{line}\n" for line in lines))
    return 0
