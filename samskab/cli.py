"""The `samskab` console command: manage.py, plus serve, worker and demo.

samskab migrate            any Django management command
samskab serve [--workers N] [--host H] [--port P]
samskab worker             run background tasks
samskab demo               create or refresh the demo municipality
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args[:2] == ["pb", "tally"]:
        # Counting a pabulib file needs no settings, database or apps: skip starting Django,
        # which costs more than counting most files (docs/budgets.md, "Speed").
        from samskab.budgets.tally_command import main as tally

        status = tally(args[2:])
        if status is not None:
            sys.exit(status)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samskab.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["samskab", *args])


if __name__ == "__main__":
    main()
