"""The demo's hearings."""


def hearings_demo_part(context: dict) -> list[str]:
    return []
