"""Template filters for the meeting pages: offsets as clock times and ?t= seconds."""

from django import template

register = template.Library()


@register.filter
def clock(offset_ms: int | None) -> str:
    """12345678 -> '3:25:45'; under an hour '25:45'. Empty for None."""
    if offset_ms is None or offset_ms == "":
        return ""
    seconds = int(offset_ms) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes}:{seconds:02d}"


@register.filter
def iso_duration(offset_ms: int | None) -> str:
    """For <time datetime="...">: 'PT1H2M3S'."""
    if offset_ms is None or offset_ms == "":
        return ""
    seconds = int(offset_ms) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"PT{hours}H{minutes}M{seconds}S"


@register.filter
def seconds(offset_ms: int | None) -> int:
    """Whole seconds for ?t= links, rounded down so the jump lands on the start."""
    if offset_ms is None or offset_ms == "":
        return 0
    return int(offset_ms) // 1000
