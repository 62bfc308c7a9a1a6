"""What changed between two releases, for my codes, in my dollars: pure logic, no I/O.

    from medpayiq import changes
    report = changes.compare(reference, "RVU25D", "RVU26C", codes={"62323"}, zip_code="77030")
    report.rows[0].amounts[0]     # national non-facility: 246.80 -> 273.22, +26.42, causes

    volume = changes.read_volume_csv(data)            # hcpcs, modifier, pos, units[, zip]
    report = changes.compare(reference, "RVU25D", "RVU26C", volume=volume)
    report.volume.total_change                         # the year's impact, in dollars

Public API (everything else is private and may change):

- `compare(reference, before, after, *, family=None, codes=None, zip_code=None,
  locality=None, setting=NON_FACILITY, volume=None, limit=25, all_localities=False)
  -> ChangeReport`: two loaded releases of one family (PFS, CLFS, DMEPOS, NCCI or ZIP)
  compared; `family_of` and `loaded` say which family ids belong to and what is loaded.
- The fee schedule grid, for callers that want every row x locality x setting:
  `pfs_side(reference, release_id) -> PfsSide`, `fee_grid(before, after, *, codes=None,
  localities=None) -> FeeGrid`, `place_of(...)`, `grid_count(...)`, `keys_of(...)`.
- Volume: `read_volume_csv(data, *, name) -> Volume`, `volume_from_rows(rows, *, source)`
  (for readers of other formats, 837P), `pfs_impact(before, after, volume, ...)`.
- Results: `ChangeReport`, `FeeSummary`, `ReleaseInfo`, `FeeRowChange`, `AmountChange`,
  `Causes`, `FieldChange`, `GridCount`, `LocalityChanges`, `GpciChange`, `ZipChanges`,
  `ZipChange`, `EditChanges`, `EditChange`, `LabChanges`, `LabChange`, `DmeChanges`,
  `DmeChange`, `VolumeImpact`, `CodeImpact`, `ImpactLine`, `VolumeProblem`, `VolumeRow`.

Every amount is the pricing engine's, computed by the batch engine's exact integer
arithmetic (`batch.unit_amounts`) on each release's first day; what drove a change (the
CF, the RVUs, the GPCIs) is found by sequential substitution and adds up to the change to
the cent (see `_fees.py` and docs/changes.md).
"""

from __future__ import annotations

from ._edits import EditChange, EditChanges
from ._fees import (
    AmountChange,
    Causes,
    FeeGrid,
    FeeRowChange,
    FieldChange,
    GridCount,
    PfsSide,
    Place,
    RowStatus,
    fee_grid,
    grid_count,
    keys_of,
    pfs_side,
    place_of,
)
from ._geography import GpciChange, LocalityChanges, ZipChange, ZipChanges
from ._impact import CodeImpact, ImpactLine, VolumeImpact, pfs_impact
from ._report import ChangeReport, FeeSummary, ReleaseInfo, compare, family_of, loaded
from ._schedules import DmeChange, DmeChanges, LabChange, LabChanges
from ._volume import Volume, VolumeProblem, VolumeRow, read_volume_csv, volume_from_rows

__all__ = [
    "AmountChange",
    "Causes",
    "ChangeReport",
    "CodeImpact",
    "DmeChange",
    "DmeChanges",
    "EditChange",
    "EditChanges",
    "FeeGrid",
    "FeeRowChange",
    "FeeSummary",
    "FieldChange",
    "GpciChange",
    "GridCount",
    "ImpactLine",
    "LabChange",
    "LabChanges",
    "LocalityChanges",
    "PfsSide",
    "Place",
    "ReleaseInfo",
    "RowStatus",
    "Volume",
    "VolumeImpact",
    "VolumeProblem",
    "VolumeRow",
    "ZipChange",
    "ZipChanges",
    "compare",
    "family_of",
    "fee_grid",
    "grid_count",
    "keys_of",
    "loaded",
    "pfs_impact",
    "pfs_side",
    "place_of",
    "read_volume_csv",
    "volume_from_rows",
]
