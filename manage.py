#!/usr/bin/env python
"""Django's manage.py; the installed `samskab` command is the same."""

from samskab.cli import main

if __name__ == "__main__":
    main()
