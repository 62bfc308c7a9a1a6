"""A real `medpayiq serve` process on a free port, over a store the test owns.

`serve(db, **options)` starts one (stopped at the end of the test) and waits for /health;
`copy_of_store_db` copies the shared full-data SQLite store (never loaded into directly);
`pg_full_store` loads every shared file into a fresh PostgreSQL schema.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
MEDPAYIQ = str(Path(sys.executable).parent / "medpayiq")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running `medpayiq serve`; `get`/`post` answer (status, headers, body bytes)."""

    port: int
    proc: subprocess.Popen[bytes]
    log: Path
    timeout: float = 60.0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        req = urllib.request.Request(self.base + path, data=body, method=method)
        for name, value in (headers or {}).items():
            req.add_header(name, value)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    def get(self, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
        return self.request("GET", path, headers=headers)

    def post_json(self, path: str, payload: Any, **headers: str) -> tuple[int, bytes]:
        headers = {"content-type": "application/json", **headers}
        status, _, body = self.request("POST", path, json.dumps(payload).encode(), headers)
        return status, body

    def health(self) -> dict[str, Any]:
        status, _, body = self.get("/api/v1/health")
        assert status == 200, body
        return json.loads(body)  # type: ignore[no-any-return]

    def wait_for_generation(self, generation: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.health()["generation"] < generation:
            assert time.monotonic() < deadline, f"no swap to generation {generation}"
            time.sleep(0.1)

    def rss_kib(self) -> int:
        """Resident memory of the server process (its one worker), from /proc."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@dataclass
class Servers:
    folder: Path
    started: list[Server] = field(default_factory=list)

    def stop_all(self) -> None:
        for server in self.started:
            server.stop()

    def __call__(self, db: str, *options: str, env: dict[str, str] | None = None) -> Server:
        port = free_port()
        log = self.folder / f"serve-{port}.log"
        command = [MEDPAYIQ, "serve", "--port", str(port), "--db", db, *options]
        environment = {k: v for k, v in os.environ.items() if not k.startswith("MEDPAYIQ_")}
        environment.update(env or {})
        with log.open("wb") as out:
            proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=environment)
        server = Server(port, proc, log)
        self.started.append(server)
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, f"serve exited: {server.log_text()}"
            try:
                server.health()
                return server
            except (OSError, AssertionError):
                assert time.monotonic() < deadline, f"serve did not start: {server.log_text()}"
                time.sleep(0.2)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    servers = Servers(tmp_path)
    yield servers
    servers.stop_all()


@pytest.fixture
def copy_of_store_db(store_db: Path, tmp_path: Path) -> str:
    """A private copy of the full-data SQLite store (the shared one is never changed)."""
    target = tmp_path / "store.sqlite"
    shutil.copy(store_db, target)
    return str(target)


def medpayiq(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a child process, as a user would (the server is another process)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MEDPAYIQ_")}
    return subprocess.run(
        [MEDPAYIQ, *args], capture_output=True, text=True, env=environment, timeout=600
    )
