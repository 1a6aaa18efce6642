"""The `samskab` console command: manage.py, plus serve, worker and demo.

samskab migrate            any Django management command
samskab serve [--workers N] [--host H] [--port P]
samskab worker             run background tasks
samskab demo               create or refresh the demo municipality
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samskab.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["samskab", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
