"""Participatory budgeting (C3). For now only the pure parts: counting rules and pabulib files."""
