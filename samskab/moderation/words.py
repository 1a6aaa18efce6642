"""Restricted words: patterns with `*` wildcards matched against whole words of a text.

`idiot*` matches "idiot" and "idioter"; `*svin` matches "dumsvin"; matching ignores case
and accents are kept (Danish æ, ø, å are letters, not word breaks). No Django here.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    pattern: str
    action: str  # "hold" or "reject"


def compile_pattern(pattern: str) -> re.Pattern[str]:
    pattern = pattern.strip().lower()
    body = ".*?".join(re.escape(part) for part in pattern.split("*"))
    body = body.replace(".*?", r"\w*")
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE | re.UNICODE)


def matches(text: str, rules: Iterable[Rule]) -> list[Rule]:
    """The rules that match somewhere in `text`, rejecting ones first."""
    found = [
        rule
        for rule in rules
        if rule.pattern.strip("* ") and compile_pattern(rule.pattern).search(text)
    ]
    return sorted(found, key=lambda rule: rule.action != "reject")
