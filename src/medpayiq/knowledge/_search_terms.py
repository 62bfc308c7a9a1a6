"""Billers' words for codes, and approximate tiers of how commonly codes are billed: the
packaged data search ranks by (`data/search.yaml`, which says where its tiers come from).

    terms = search_terms()
    terms.phrase_for(["knee", "replacement"])   # Phrase(codes=("27447", ...), ...)
    terms.common.get("99214")                   # 3
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from medpayiq import packaged_yaml

__all__ = ["Phrase", "SearchTerms", "search_terms"]


@dataclass(frozen=True, slots=True)
class Phrase:
    """Words a biller types, the codes they mean (in order) and the descriptor words they
    stand for."""

    words: tuple[str, ...]
    codes: tuple[str, ...]
    also: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SearchTerms:
    phrases: tuple[Phrase, ...]
    words: Mapping[str, tuple[str, ...]]
    common: Mapping[str, int]
    source: str

    def phrase_for(self, terms: Sequence[str]) -> Phrase | None:
        """The longest phrase whose every word is among `terms`, or None."""
        given = set(terms)
        fitting = [p for p in self.phrases if set(p.words) <= given]
        return max(fitting, key=lambda p: len(p.words), default=None)


def _code(value: object) -> str:
    return str(value).strip().upper()


@lru_cache(maxsize=1)
def search_terms() -> SearchTerms:
    """The packaged table, read once."""
    text = (resources.files("medpayiq.knowledge") / "data" / "search.yaml").read_text("utf-8")
    raw = packaged_yaml.safe_load(text)
    phrases = tuple(
        Phrase(
            tuple(str(item["words"]).lower().split()),
            tuple(_code(c) for c in item.get("codes", ())),
            tuple(str(w).lower() for w in item.get("also", ())),
        )
        for item in raw.get("phrases", ())
    )
    words = {str(k).lower(): tuple(str(v).lower() for v in vs) for k, vs in raw["words"].items()}
    common: dict[str, int] = {}
    for tier, codes in raw.get("common", {}).items():
        for code in codes:
            common.setdefault(_code(code), int(tier))
    return SearchTerms(phrases, words, common, " ".join(str(raw.get("source", "")).split()))
