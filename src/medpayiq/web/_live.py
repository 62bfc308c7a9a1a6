"""The reference a running server answers from, swapped when the store changes.

A server must answer exactly as a freshly started one, across `medpayiq data load`. The store
counts its changes (`Store.generation()`: every committed load bumps it). `Live` holds one
`Snapshot` per generation (the reference and the answer caches built over it) and a thread
that polls the generation; when it has moved on and then stayed put for `Settle.quiet`
seconds (one `data load` commits once per file: the server builds once per load, not once per
file; at most `Settle.longest` seconds after it first moved), the thread builds and warms a
new snapshot and swaps it in with one assignment. Each request captures the snapshot once,
when it starts (`ReferenceScope`), so a request never mixes two generations; requests already
running finish on the old one, whose datasets the store keeps for a grace period
(docs/store.md). Once nothing holds the old snapshot and its reference any more (the requests
that captured it have ended), the poller hands the memory they leave free back to the system
(`Live.release`: glibc's `malloc_trim`; the C library keeps it otherwise, docs/web.md).

    live = Live(StoreSource(store), interval=1.0)   # or Live(FixedSource(catalog))
    live.start()                                    # the poller (the app's lifespan does it)
    live.snapshot.reference                         # what a new request answers from
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import mmap
import sys
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medpayiq.api.routes import SNAPSHOT, ResponseCache
from medpayiq.reference import ReferenceData

__all__ = [
    "BytesLRU",
    "CacheSizes",
    "FixedSource",
    "Live",
    "ReferenceScope",
    "ReferenceSource",
    "Settle",
    "Snapshot",
    "snapshot_of",
]

log = logging.getLogger("medpayiq.web")


class ReferenceSource(Protocol):
    """Where references come from: the store (`medpayiq.store.Store` has both methods)."""

    def generation(self) -> int: ...

    def reference(self) -> ReferenceData: ...


@dataclass(frozen=True)
class FixedSource:
    """One reference that never changes (an in-memory `Catalog`: tests, demos)."""

    data: ReferenceData

    def generation(self) -> int:
        return 0

    def reference(self) -> ReferenceData:
        return self.data


def _malloc_trim() -> Callable[[], object] | None:
    """glibc's `malloc_trim(0)`: returns the free memory of every malloc arena to the system
    (the unused top of each heap, and the whole free pages inside it); None where there is
    none (another C library or system)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library the interpreter runs on
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return lambda: trim(0)


_TRIM = _malloc_trim()


def _rss_mib() -> float | None:
    """This process's resident memory in MiB (Linux), for the log."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return pages * mmap.PAGESIZE / (1 << 20)


class BytesLRU:
    """Least recently used answers, bounded by their total size in bytes (not by count:
    one code page is 100 times a price answer)."""

    def __init__(self, max_bytes: int) -> None:
        from collections import OrderedDict

        self.max_bytes = max_bytes
        self.size = 0
        self._data: OrderedDict[Any, tuple[int, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            found = self._data.get(key)
            if found is None:
                return None
            self._data.move_to_end(key)
            return found[1]

    def put(self, key: Any, value: Any, size: int) -> None:
        if size > self.max_bytes // 8:
            return  # one answer may not crowd out the rest
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self.size -= old[0]
            self._data[key] = (size, value)
            self.size += size
            while self.size > self.max_bytes and self._data:
                _, (dropped, _) = self._data.popitem(last=False)
                self.size -= dropped

    def __len__(self) -> int:
        return len(self._data)


@dataclass(frozen=True, eq=False)
class Snapshot:
    """One generation's reference and the answers cached over it (dropped with it)."""

    generation: int
    reference: ReferenceData
    api_cache: ResponseCache
    page_cache: ResponseCache
    responses: BytesLRU


@dataclass
class CacheSizes:
    """Byte budgets of a snapshot's answer caches."""

    responses: int = 64 << 20  # whole GET answers (`ResponseLRU`)
    api: int = 32 << 20  # encoded JSON answers by normalised parameters
    pages: int = 16 << 20  # rendered pages

    @classmethod
    def total(cls, size: int) -> CacheSizes:
        """`size` bytes shared 4:2:1 as the defaults (64, 32 and 16 MiB of 112)."""
        return cls(size * 4 // 7, size * 2 // 7, size // 7)


@dataclass
class Settle:
    """When a moved generation is due to be built: once it has stayed put for `quiet`
    seconds, or `longest` seconds after it first moved (a stream of loads still gets served).
    Times are the caller's clock (`time.monotonic()`), so the rule is tested without waiting."""

    # A load's files commit seconds apart (a 98,000-row ICD-10-CM table took 3 to 9 s on the
    # busy soak machine): 2 s of quiet still built the load's first file on its own.
    quiet: float = 5.0
    longest: float = 30.0
    _seen: int | None = None  # the last generation polled that differed from the served one
    _since: float = 0.0  # when `_seen` was first polled
    _first: float | None = None  # when the served generation was first left behind

    def due(self, served: int, current: int, now: float) -> bool:
        if current == served:
            self._seen = self._first = None
            return False
        if self._first is None:
            self._first = now
        if current != self._seen:
            self._seen, self._since = current, now
        return now - self._since >= self.quiet or now - self._first >= self.longest


class Live:
    """The current `Snapshot`, replaced when the source's generation moves on (and settles)."""

    def __init__(
        self,
        source: ReferenceSource,
        *,
        interval: float = 1.0,
        sizes: CacheSizes | None = None,
        warm: Callable[[ReferenceData], None] | None = None,
        settle: Settle | None = None,
    ) -> None:
        self.source = source
        self.interval = interval
        self.sizes = sizes or CacheSizes()
        self.settle = settle or Settle()
        self._warm = warm
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.snapshot = self._build(source.generation())
        self.swaps = 0
        # Replaced generations not yet gone: (generation, weak references to the snapshot
        # and to its reference); `release` watches them.
        self._retired: list[tuple[int, tuple[weakref.ref[Any], ...]]] = []
        self.released = 0  # replaced generations found gone (and their memory handed back)

    def _build(self, generation: int) -> Snapshot:
        reference = self.source.reference()
        # The reference is read after the generation: if a load committed in between, it is
        # newer, and answers must say the generation they come from (a store reference knows).
        generation = getattr(reference, "generation", generation)
        began = time.monotonic()
        if self._warm is not None:
            self._warm(reference)
        log.info("store generation %d: built and warmed in %.1f s", generation,
                 time.monotonic() - began)  # fmt: skip
        sizes = self.sizes
        return Snapshot(
            generation,
            reference,
            ResponseCache(max_bytes=sizes.api),
            ResponseCache(max_bytes=sizes.pages),
            BytesLRU(sizes.responses),
        )

    def refresh(self) -> bool:
        """Swap in a new snapshot if the store changed; True if it did. New requests keep
        getting the old snapshot while the new one is built and warmed."""
        with self._lock:
            generation = self.source.generation()
            if generation == self.snapshot.generation:
                return False
            old = self.snapshot
            fresh = self._build(generation)
            self.snapshot = fresh
            self.swaps += 1
            self._retire(old, fresh)
            log.info("store generation %d: swapped in a new reference", fresh.generation)
            return True

    def _retire(self, old: Snapshot, fresh: Snapshot) -> None:
        watched: list[weakref.ref[Any]] = [weakref.ref(old)]
        if old.reference is not fresh.reference:
            # A reference without weak references: the snapshot alone is watched.
            with contextlib.suppress(TypeError):
                watched.append(weakref.ref(old.reference))
        self._retired.append((old.generation, tuple(watched)))

    def release(self) -> int:
        """Hand back to the system the memory of replaced generations that are gone (no
        request holds their snapshot any more and their reference has been freed); how many
        were found gone.

        Without it the C library keeps that memory: a generation's answer caches and what its
        reference read are mostly blocks above Python's small-object size, allocated by many
        threads, and glibc keeps their free pages for later. A soak of reloads (docs/web.md,
        "Reloads") kept some 30 MiB more per reload though every old reference was freed and
        the live objects stayed flat; one `malloc_trim(0)` (milliseconds, the interpreter not
        held) returns them. Only free memory is returned: no answer changes."""
        with self._lock:
            gone: list[int] = []
            kept: list[tuple[int, tuple[weakref.ref[Any], ...]]] = []
            for generation, refs in self._retired:
                if any(ref() is not None for ref in refs):
                    kept.append((generation, refs))
                else:
                    gone.append(generation)
            self._retired = kept
        if not gone:
            return 0
        self.released += len(gone)
        if _TRIM is not None:
            before = _rss_mib()
            _TRIM()
            after = _rss_mib()
            if before is not None and after is not None:
                log.info("store generation %s freed: %.0f MiB returned to the system "
                         "(resident %.0f MiB)", ", ".join(map(str, gone)), before - after,
                         after)  # fmt: skip
        return len(gone)

    def poll(self, now: float | None = None) -> bool:
        """One check of the generation: refresh if it moved and has settled (`Settle`);
        True if a new snapshot was swapped in. Releases the generations replaced before
        once they are gone (`release`)."""
        self.release()
        current = self.source.generation()
        clock = time.monotonic() if now is None else now
        if not self.settle.due(self.snapshot.generation, current, clock):
            return False
        return self.refresh()

    def start(self) -> None:
        """Poll the generation every `interval` seconds in a daemon thread (a fixed source
        never changes: nothing to poll)."""
        if isinstance(self.source, FixedSource) or self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._poll, name="medpayiq-reload", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _poll(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.poll()
            except Exception:  # a database hiccup: keep serving the snapshot we have
                log.warning("could not check the store for a new generation", exc_info=True)


@dataclass
class ReferenceScope:
    """Pure ASGI middleware: captures the current snapshot once per request, in the scope's
    state, where every dependency and cache of the request reads it (`snapshot_of`)."""

    app: ASGIApp
    live: Live = field(repr=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        snapshot = self.live.snapshot
        scope.setdefault("state", {})[SNAPSHOT] = snapshot
        # Every answer says which store generation it came from (clients and the soak
        # bench can tell answers of two loads apart).
        header = (b"x-medpayiq-generation", str(snapshot.generation).encode())

        async def tagged(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        await self.app(scope, receive, tagged)


def snapshot_of(scope: Scope) -> Snapshot:
    """The snapshot the request captured (`ReferenceScope`)."""
    found: Snapshot = scope["state"][SNAPSHOT]
    return found
