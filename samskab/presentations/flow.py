"""A presentation's order and branches as a graph: pure, no Django.

Each step goes on to its `next_key` ("" = the next step in order, "end" = the end) and, for
a question, an answer may lead to a chosen step (`branches`: option id -> step key).
`problems` finds what would strand a citizen: a branch or "then go to" naming a step that is
not there, and a loop with no exit (steps reachable from the first from which the end can
never be reached). `following` is where the player goes after a step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

END = "end"

MISSING = "missing"
NO_EXIT = "no_exit"


@dataclass(frozen=True)
class FlowStep:
    key: str
    next_key: str = ""
    branches: Mapping[str, str] = field(default_factory=dict)
    # A required question whose every option has a branch never takes its default way.
    all_branched: bool = False


@dataclass(frozen=True)
class Problem:
    kind: str  # MISSING or NO_EXIT
    key: str  # the step where it is
    target: str = ""  # the missing key (MISSING)


def default_next(steps: Sequence[FlowStep], index: int) -> str:
    step = steps[index]
    if step.next_key:
        return step.next_key
    return steps[index + 1].key if index + 1 < len(steps) else END


def following(steps: Sequence[FlowStep], index: int, choice: object = None) -> str:
    """The key after step `index`, given the option chosen (if any); END at the end.
    A way to a step that is not there ends the presentation rather than strand anyone."""
    keys = {step.key for step in steps}
    step = steps[index]
    target = ""
    if choice is not None:
        chosen = choice if isinstance(choice, list) else [choice]
        for value in chosen:
            target = step.branches.get(str(value), "")
            if target:
                break
    target = target or default_next(steps, index)
    return target if target in keys else END


def successors(steps: Sequence[FlowStep], index: int) -> set[str]:
    step = steps[index]
    found = set(step.branches.values())
    if not step.all_branched:
        found.add(default_next(steps, index))
    return found


def problems(steps: Sequence[FlowStep]) -> list[Problem]:
    if not steps:
        return []
    keys = {step.key: index for index, step in enumerate(steps)}
    found: list[Problem] = []
    for index, step in enumerate(steps):
        for target in sorted(successors(steps, index)):
            if target != END and target not in keys:
                found.append(Problem(MISSING, step.key, target))
    # Which steps can reach the end (backwards from it over the known edges).
    edges = {
        step.key: {t for t in successors(steps, i) if t == END or t in keys}
        for i, step in enumerate(steps)
    }
    can_end = {key for key, targets in edges.items() if END in targets}
    changed = True
    while changed:
        changed = False
        for key, targets in edges.items():
            if key not in can_end and targets & can_end:
                can_end.add(key)
                changed = True
    reachable, todo = set(), [steps[0].key]
    while todo:
        key = todo.pop()
        if key in reachable:
            continue
        reachable.add(key)
        todo.extend(t for t in edges[key] if t != END)
    for step in steps:
        if step.key in reachable and step.key not in can_end:
            found.append(Problem(NO_EXIT, step.key))
    return found


def unreachable(steps: Sequence[FlowStep]) -> list[str]:
    """Steps no way leads to (shown to the editor as a hint, not refused)."""
    if not steps:
        return []
    keys = {step.key for step in steps}
    reachable, todo = set(), [steps[0].key]
    index = {step.key: i for i, step in enumerate(steps)}
    while todo:
        key = todo.pop()
        if key in reachable or key not in keys:
            continue
        reachable.add(key)
        todo.extend(t for t in successors(steps, index[key]) if t != END)
    return [step.key for step in steps if step.key not in reachable]
