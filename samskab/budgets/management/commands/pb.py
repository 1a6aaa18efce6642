"""`samskab pb tally FILE.pb ...` counts a pabulib file; `samskab pb export BUDGET HEADING`
writes a heading's stored ballots as a .pb file."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samskab.budgets import pabulib
from samskab.budgets.counting import Completion, TieBreaking, Utility, equal_shares, greedy

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
        tally.add_argument("--rule", choices=["greedy", "mes"], default="mes")
        tally.add_argument("--utility", choices=[u.value for u in Utility], default="cost")
        tally.add_argument("--completion", choices=list(COMPLETIONS), default="add1")
        tally.add_argument(
            "--tie-break",
            choices=[t.value for t in TieBreaking],
            default=TieBreaking.COST_VOTES.value,
            help="Who wins a tie: lower cost then more votes (default), the lower project id "
            "as text (pabutools), or more votes then the higher id (CONSUL).",
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
        else:
            self.export(options)

    def tally(self, options) -> None:
        try:
            instance = pabulib.read(options["file"])
            election = instance.election(as_approval=options["as_approval"])
        except FileNotFoundError:
            raise CommandError(f"No such file: {options['file']}") from None
        except (pabulib.PabulibError, ValueError) as error:
            raise CommandError(f"{options['file']}: {error}") from None
        tie_breaking = TieBreaking(options["tie_break"])
        try:
            if options["rule"] == "greedy":
                outcome = greedy(election, tie_breaking=tie_breaking)
            else:
                outcome = equal_shares(
                    election,
                    utility=Utility(options["utility"]),
                    completion=COMPLETIONS[options["completion"]],
                    tie_breaking=tie_breaking,
                )
        except OverflowError:
            # Files read here are bounded (pabulib.MAX_AMOUNT); this is the last guard.
            raise CommandError(f"{options['file']}: an amount is too large to count.") from None
        selected = list(outcome.winners)
        if options["format"] == "json":
            self.stdout.write(json.dumps({"selected": selected, "cost": outcome.cost}))
        else:
            self.stdout.write(f"Selected ({len(selected)}): {' '.join(selected)}")
            self.stdout.write(f"Cost: {outcome.cost} of {election.budget}")

    def export(self, options) -> None:
        from samskab.budgets.models import Heading
        from samskab.budgets.selectors import heading_election

        heading = (
            Heading.objects.select_related("group__budget")
            .filter(pk=options["heading_id"], group__budget_id=options["budget_id"])
            .first()
        )
        if heading is None:
            raise CommandError("No such heading in that budget.")
        budget = heading.group.budget
        election = heading_election(heading)
        titles = dict(heading.projects.values_list("pk", "title"))
        winners = set(getattr(getattr(heading, "result", None), "winners", []) or [])
        fields = {
            p: {
                "name": titles[int(p)],
                **({"selected": "1" if int(p) in winners else "0"} if winners else {}),
            }
            for p in election.costs
        }
        instance = pabulib.from_election(
            election,
            meta={
                "description": f"{budget.title}: {heading.name}",
                "country": "Denmark",
                "unit": heading.name,
                "currency": budget.currency,
                "rule": budget.rule,
                "tie_breaking": budget.tie_breaking,
                **({"max_length": str(heading.approval_limit)} if heading.approval_limit else {}),
                **({"max_sum_cost": str(heading.amount)} if heading.style == "knapsack" else {}),
            },
            project_fields=fields,
        )
        text = pabulib.write(instance)
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
