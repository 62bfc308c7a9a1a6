"""Tables derived once per reference snapshot (a release's rows), not once per claim or date.

A snapshot is named by its `Vintage`: the release used and the files it came from (name and
sha256), so a reloaded file or another release never shares an entry. The tables hang off the
reference object (`_memo.memo_for`), and go with it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Hashable, Mapping

from medpayiq.records import IcdCode
from medpayiq.reference import IcdTable, Vintage

from ._memo import memo_for

__all__ = ["billable_children", "snapshot_key"]


def snapshot_key(vintage: Vintage) -> Hashable:
    """What identifies the rows behind a vintage: the release and each file's hash."""
    return (
        vintage.used.id,
        tuple((p.kind, p.release.id, p.variant, p.file, p.sha256) for p in vintage.provenance),
    )


class _PrefixIndex:
    """ICD-10-CM codes sorted, with each code's position in the table, so the codes under a
    header are a binary search away (a scan of ~98,000 codes took ~25 ms)."""

    def __init__(self, codes: Mapping[str, IcdCode]) -> None:
        self.position = {code: i for i, code in enumerate(codes)}
        self.sorted = sorted(self.position)
        self.codes = codes

    def children(self, prefix: str) -> list[IcdCode]:
        found = []
        keys = self.sorted
        for i in range(bisect_left(keys, prefix), len(keys)):
            key = keys[i]
            if not key.startswith(prefix):
                break
            if key != prefix and (entry := self.codes[key]).billable:
                found.append(entry)
        # The table's own order, as `IcdTable.billable_children` gives them.
        found.sort(key=lambda c: self.position[c.code])
        return found


def billable_children(reference: object, icd: IcdTable, code: str) -> list[IcdCode]:
    """`icd.billable_children(code)`, from an index built once per ICD-10-CM snapshot."""
    indexes = memo_for(reference, "icd-prefix")
    key = snapshot_key(icd.vintage)
    index = indexes.get(key)
    if index is None:
        index = indexes[key] = _PrefixIndex(icd.codes)
    prefix = code.replace(".", "").strip().upper()
    return index.children(prefix)
