"""Polars' allocator settings for batch runs: imported by `medpayiq.batch` before any of its
modules imports Polars.

Polars allocates with jemalloc, and `import polars` sets `_RJEM_MALLOC_CONF` to give freed
memory back to the system fast (dirty pages after 0.5 s, muzzy after 1 s; a user's value is
appended and wins). A batch run frees and allocates the same few hundred MB chunk after
chunk, so with those settings each chunk faults its pages in again: on bench/pricing.py's
10 M-line file about 1.1 M minor faults and 2.4-4.8 s of system CPU in 9-12 s. Kept for 30 s
they are reused: about 0.59 M faults, 1.3-1.9 s of system CPU, the whole run 1.2-3.5 s of
CPU less, for about 120 MB more peak RSS (1,040-1,070 -> 1,160-1,190 MB).

It only takes effect when Polars is not imported yet (jemalloc reads it once), and it is set
only when no one has set it: a user's own `_RJEM_MALLOC_CONF` is left alone. When Polars was
imported first, it has set the variable itself, so this does nothing. Child processes
inherit it (and Polars in them would use it too).
"""

from __future__ import annotations

import os

SETTING = "_RJEM_MALLOC_CONF"
DECAY = "dirty_decay_ms:30000,muzzy_decay_ms:30000"

if SETTING not in os.environ:
    os.environ[SETTING] = DECAY
