"""Line numbers in a finding's words, renamed: a part of a claim on several dates is checked
with its lines numbered from 1 (`_parts`), and its texts ("line 2 (20611) with line 1") name
the claim's numbers once joined."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ._memo import remember

__all__ = ["renumber"]

_LINES = re.compile(r"\b([Ll]ines?) (\d+(?:(?:, | and |, and )\d+)*)")
_NUMBER = re.compile(r"\d+")


def renumber(text: str, numbers: Sequence[int]) -> str:
    """`text` with "line 2", "Lines 1, 3" naming the claim's line numbers (`numbers[i - 1]`
    for a part's line i; a number past the part's lines stays as it is)."""
    if "ine" not in text:
        return text
    found = _TEMPLATES.get(text)
    if found is None:
        found = remember(_TEMPLATES, text, _template(text))
    literals, named = found
    if not named:
        return text
    count = len(numbers)
    out = [literals[0]]
    for (digits, i), literal in zip(named, literals[1:], strict=True):
        out.append(str(numbers[i - 1]) if 0 < i <= count else digits)
        out.append(literal)
    return "".join(out)


# A text as the pieces between the line numbers it names, and those numbers (as written,
# and as numbers): the same words come back on claim after claim, numbered otherwise.
_Template = tuple[tuple[str, ...], tuple[tuple[str, int], ...]]
_TEMPLATES: dict[str, _Template] = {}


def _template(text: str) -> _Template:
    literals: list[str] = []
    named: list[tuple[str, int]] = []
    at = 0
    for match in _LINES.finditer(text):
        listed = match.start(2)
        for number in _NUMBER.finditer(match.group(2)):
            literals.append(text[at : listed + number.start()])
            named.append((number.group(), int(number.group())))
            at = listed + number.end()
    literals.append(text[at:])
    return tuple(literals), tuple(named)
