"""`samskab pb tally FILE.pb ...` counts a pabulib file by the rule it states (or `--rule`) and
says whether that reproduces its `selected` column; `samskab pb verify DIR` does so for every
file in a folder; `samskab pb export BUDGET HEADING` writes a heading's stored ballots."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samskab.budgets import pabulib
from samskab.budgets.counting import Completion, Outcome, TieBreaking, Utility

COMPLETIONS = {
    "none": Completion.NONE,
    "add1": Completion.ADD1,
    "add1-greedy": Completion.ADD1_UTILITARIAN,
    "greedy": Completion.UTILITARIAN,
}


class Command(BaseCommand):
    help = "Count and export participatory budgets in the pabulib (.pb) format."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        tally = sub.add_parser("tally", help="Count a .pb file and print the selected projects.")
        tally.add_argument("file")
        for command in (tally, verify := sub.add_parser("verify", help=VERIFY_HELP)):
            command.add_argument(
                "--tie-break",
                choices=[t.value for t in TieBreaking],
                default=TieBreaking.COST_VOTES.value,
                help="Who wins a tie: lower cost then more votes (default), the lower project "
                "id as text (pabutools), or more votes then the higher id (CONSUL).",
            )
        verify.add_argument("folder")
        verify.add_argument("--format", choices=["text", "json"], default="text")
        tally.add_argument(
            "--rule",
            choices=[*pabulib.RULES, "mes"],
            help="Count by this rule instead of the file's META rule ('mes': Equal Shares "
            "with --completion).",
        )
        tally.add_argument("--utility", choices=[u.value for u in Utility], default="cost")
        tally.add_argument(
            "--completion",
            choices=list(COMPLETIONS),
            help="Equal Shares' completion (default: the one the rule names; add1 for 'mes').",
        )
        tally.add_argument(
            "--threshold",
            type=int,
            help="The score a project needs (default: META min_project_score_threshold).",
        )
        tally.add_argument("--format", choices=["text", "json"], default="text")
        tally.add_argument(
            "--as-approval",
            action="store_true",
            help="Count ranked or scored ballots as approval of every project listed.",
        )
        export = sub.add_parser("export", help="Write a heading's ballots as a .pb file.")
        export.add_argument("budget_id", type=int)
        export.add_argument("heading_id", type=int)
        export.add_argument("-o", "--output", help="File to write (default: standard output).")

    def handle(self, *args, **options) -> None:
        if options["action"] == "tally":
            self.tally(options)
        elif options["action"] == "verify":
            self.verify(options)
        else:
            self.export(options)

    def tally(self, options) -> None:
        try:
            instance = pabulib.read(options["file"])
        except FileNotFoundError:
            raise CommandError(f"No such file: {options['file']}") from None
        except (pabulib.PabulibError, ValueError, UnicodeDecodeError) as error:
            raise CommandError(f"{options['file']}: {error}") from None
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
            )
        except (pabulib.PabulibError, ValueError) as error:
            raise CommandError(f"{options['file']}: {error}") from None
        except OverflowError:
            # Files read here are bounded (pabulib.MAX_AMOUNT); this is the last guard.
            raise CommandError(f"{options['file']}: an amount is too large to count.") from None
        report = _compare(instance, outcome)
        selected = list(outcome.winners)
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(
                    {"selected": selected, "cost": outcome.cost, "rule": outcome.rule} | report
                )
            )
            return
        self.stdout.write(f"Selected ({len(selected)}): {' '.join(selected)}")
        self.stdout.write(f"Cost: {outcome.cost} of {instance.budget}")
        self.stdout.write(f"Rule: {rule or instance.rule} (counted as {outcome.rule})")
        self.stdout.write(_describe(report))

    def verify(self, options) -> None:
        folder = Path(options["folder"])
        if not folder.is_dir():
            raise CommandError(f"No such folder: {folder}")
        rows = []
        for path in sorted(folder.glob("*.pb")):
            row: dict = {"file": path.name}
            try:
                instance = pabulib.read(path)
                row["rule"] = instance.rule
                outcome = pabulib.tally(instance, tie_breaking=TieBreaking(options["tie_break"]))
                row |= _compare(instance, outcome)
            except (pabulib.PabulibError, ValueError, UnicodeDecodeError, OverflowError) as error:
                row["refused"] = str(error)
            rows.append(row)
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows))
            return
        for row in rows:
            result = row.get("refused") or _describe(row)
            self.stdout.write(f"{row['file']} [{row.get('rule') or '-'}]: {result}")
        same = sum(1 for r in rows if r.get("reproduces"))
        self.stdout.write(f"{same} of {len(rows)} files reproduce their official selection.")

    def export(self, options) -> None:
        from samskab.budgets.export import heading_pabulib
        from samskab.budgets.models import Heading

        heading = (
            Heading.objects.select_related("group__budget")
            .filter(pk=options["heading_id"], group__budget_id=options["budget_id"])
            .first()
        )
        if heading is None:
            raise CommandError("No such heading in that budget.")
        instance = heading_pabulib(heading)
        text = pabulib.write(instance)
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")


VERIFY_HELP = "Count every .pb file in a folder by its stated rule and compare with `selected`."


def _compare(instance: pabulib.PabulibFile, outcome: Outcome) -> dict:
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


def _describe(report: dict) -> str:
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
