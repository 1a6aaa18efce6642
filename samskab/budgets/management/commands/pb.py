"""`samskab pb tally FILE.pb ...` counts a pabulib file by the rule it states (or `--rule`) and
says whether that reproduces its `selected` column; `samskab pb verify DIR` does so for every
file in a folder; `samskab pb export BUDGET HEADING` writes a heading's stored ballots."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samskab.budgets import pabulib
from samskab.budgets.counting import TieBreaking
from samskab.budgets.tally_command import (
    TallyError,
    add_tally_arguments,
    add_tie_break_argument,
    compare,
    describe,
    tally,
)


class Command(BaseCommand):
    help = "Count and export participatory budgets in the pabulib (.pb) format."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        tally = sub.add_parser("tally", help="Count a .pb file and print the selected projects.")
        add_tally_arguments(tally)
        verify = sub.add_parser("verify", help=VERIFY_HELP)
        add_tie_break_argument(verify)
        verify.add_argument("folder")
        verify.add_argument("--format", choices=["text", "json"], default="text")
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
            lines = tally(options)
        except TallyError as error:
            raise CommandError(str(error)) from None
        for line in lines:
            self.stdout.write(line)

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
                outcome = pabulib.tally(
                    instance, tie_breaking=TieBreaking(options["tie_break"]), explain=False
                )
                row |= compare(instance, outcome)
            except (pabulib.PabulibError, ValueError, UnicodeDecodeError, OverflowError) as error:
                row["refused"] = str(error)
            rows.append(row)
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows))
            return
        for row in rows:
            result = row.get("refused") or describe(row)
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
