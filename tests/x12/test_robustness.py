"""Broken input never raises: seeded random damage to good files (segments dropped,
doubled, elements rewritten with delimiters in them, ISAs garbled, files cut anywhere)."""

from __future__ import annotations

import random

from medpayiq.x12 import CODES, Claim837, RejectedClaim, read_837p, to_837p

from .builders import VALID_NPI, interchange, tr3
from .test_generated import claims, cob, line_extras

ALPHABET = "*:~^>|!\n\r0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.- "


def damaged(text: str, rng: random.Random) -> str:
    if rng.random() < 0.15:
        at = rng.choice([0, max(0, text.find("ISA", 10))]) + rng.randrange(108)
        return text[:at] + rng.choice(ALPHABET) + text[at + rng.randint(0, 1) :]
    segments = text.split("~")
    for _ in range(rng.randint(1, 4)):
        k = rng.randrange(len(segments))
        operation = rng.randrange(5)
        if operation == 0:
            del segments[k]
        elif operation == 1:
            segments.insert(k, segments[rng.randrange(len(segments))])
        elif operation == 2:
            elements = segments[k].split("*")
            j = rng.randrange(len(elements))
            elements[j] = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 8)))
            segments[k] = "*".join(elements)
        elif operation == 3:
            cut = "~".join(segments)
            return cut[: rng.randrange(len(cut))]
        else:
            at = rng.randrange(len(segments[k]) + 1)
            segments[k] = segments[k][:at] + rng.choice(ALPHABET) + segments[k][at:]
    return "~".join(segments)


def test_damaged_files_give_problems_not_tracebacks() -> None:
    rng = random.Random(20261207)
    good = to_837p(claims(), extra_2300=cob, extra_2400=line_extras)
    other = interchange(tr3(VALID_NPI)).translate(str.maketrans({"*": "|", ":": "^", "~": "!"}))
    sources = [good, interchange(tr3(VALID_NPI)), good + other]
    for _ in range(300):
        text = damaged(rng.choice(sources), rng)
        for chunk_size in (rng.choice([13, 64, 300]), 1 << 20):
            reader = read_837p(text.encode(), chunk_size=chunk_size)
            items = list(reader)
            assert all(isinstance(item, Claim837 | RejectedClaim) for item in items)
            problems = [*reader.problems, *(p for i in items for p in getattr(i, "problems", ()))]
            assert all(p.code in CODES and str(p) for p in problems)
