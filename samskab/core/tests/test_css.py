"""Our style sheets against DKFDS's root size: DKFDS sets `html { font-size: 62.5% }`, so 1rem
is 10px, not 16px. A size written as if 1rem were 16px (0.875rem) comes out at 8.75px."""

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "static" / "samskab"
SMALLEST_REM = 1.2  # 12px; DKFDS's own smallest text is 1.4rem (14px)


def test_no_text_is_set_smaller_than_12px():
    too_small = [
        f"{path.relative_to(STATIC)}: font-size {size}rem"
        for path in STATIC.rglob("*.css")
        for size in re.findall(r"font-size:\s*([0-9.]+)rem", path.read_text())
        if float(size) < SMALLEST_REM
    ]
    assert not too_small, too_small
