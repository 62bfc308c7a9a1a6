"""Hostile requests against a real server with API keys on: the key is checked before the
body is read, bodies are limited, wrong keys are throttled, control characters cannot forge
a log line, and claim input is never echoed."""

from __future__ import annotations

import hashlib
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import Server, Servers

KEY = "k3y-for-the-tests-0123456789abcdef"


@pytest.fixture(scope="module")
def guarded(store_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the module (the throttling test comes last: it locks 127.0.0.1 out)."""
    folder = tmp_path_factory.mktemp("guarded")
    keys = folder / "keys.txt"
    keys.write_text(f"northside {hashlib.sha256(KEY.encode()).hexdigest()}\n")
    servers = Servers(folder)
    yield servers(str(store_db), "--api-keys", str(keys), "--max-body", "64K")
    servers.stop_all()


def _raw(
    server: Server, head: bytes, body_bytes: int, chunk: bytes = b"x" * 65536
) -> tuple[bytes, int]:
    """Send a request head and then up to `body_bytes` of body, stopping when the server
    answers or stops reading; returns the answer (status line, headers and body) and the
    bytes of body the server's socket took."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as conn:
        conn.sendall(head)
        sent = 0
        conn.settimeout(0.05)
        answer = b""
        while sent < body_bytes:
            try:
                conn.sendall(chunk[: body_bytes - sent])
                sent += len(chunk)
            except OSError:
                break  # the server answered and closed: it did not want the rest
            try:
                answer += conn.recv(65536)
                if answer:
                    break
            except TimeoutError:
                continue
        conn.settimeout(30)
        try:
            while part := conn.recv(65536):
                answer += part
        except OSError:
            pass
        return answer, sent


def test_a_huge_body_without_a_key_is_refused_before_it_is_read(guarded: Server) -> None:
    before = guarded.rss_kib()
    size = 90 << 20
    head = (
        b"POST /api/v1/claims/check HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n"
        + f"content-length: {size}\r\n\r\n".encode()
    )
    answer, sent = _raw(guarded, head, size)
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    assert b"application/problem+json" in answer
    # Refused unread: the socket took only what the kernel buffers hold, never the 90 MB (a
    # byte count, where a time limit would fail on busy cores).
    assert sent < size // 4
    # With a key but past the limit: 413 from the declared length, nothing read.
    keyed = head.replace(b"Host: x\r\n", f"Host: x\r\nX-API-Key: {KEY}\r\n".encode())
    answer, sent = _raw(guarded, keyed, size)
    assert answer.startswith(b"HTTP/1.1 413") and sent < size // 4
    # Chunked (no length declared): counted as it streams, refused once past 64 KiB.
    chunked = (
        b"POST /api/v1/claims/check HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n"
        + f"X-API-Key: {KEY}\r\ntransfer-encoding: chunked\r\n\r\n".encode()
    )
    piece = b"10000\r\n" + b"x" * 65536 + b"\r\n"
    assert _raw(guarded, chunked, 20 * len(piece), chunk=piece)[0].startswith(b"HTTP/1.1 413")
    assert guarded.rss_kib() - before < 20 * 1024  # memory flat: under 20 MiB more
    status, _, _ = guarded.get("/api/v1/health")
    assert status == 200


def test_control_characters_cannot_forge_a_log_line(guarded: Server) -> None:
    forged = "/api/v1/nothing%0A2026-12-07 INFO medpayiq.access GET /admin 200 1.0ms%0D%1B[2J"
    forged = forged.replace(" ", "%20")
    assert guarded.get(forged)[0] == 404
    guarded.get("/api/v1/health")
    time.sleep(0.3)
    lines = [line for line in guarded.log_text().splitlines() if "medpayiq.access" in line]
    assert not any("/admin 200" in line and "nothing" not in line for line in lines), lines
    (line,) = [line for line in lines if "nothing" in line]
    assert "\\x0a2026-12-07 INFO" in line and "\\x0d\\x1b[2J" in line, line


def test_claim_values_are_never_echoed(guarded: Server) -> None:
    claim = json.loads((Path(__file__).parents[2] / "docs/examples/esi-with-fluoroscopy.json")
                       .read_text())  # fmt: skip
    claim["claim_id"] = "MRN-SECRET-" + "9" * 80
    claim["member_name"] = "Jane Q Patient"
    claim["diagnoses"] = ["M54.16", "JANE DOE 1970-01-01"]
    status, body = guarded.post_json("/api/v1/claims/check", claim, **{"X-API-Key": KEY})
    assert status == 422
    text = body.decode()
    for secret in ("MRN-SECRET", "Jane Q", "JANE DOE", "1970-01-01"):
        assert secret not in text
    fields = {e["where"] for e in json.loads(body)["errors"]}
    assert {"body.claim_id", "body.member_name", "body.diagnoses"} <= fields, fields
    assert "diagnosis 2 is not written as ICD-10-CM" in text
    assert "MRN-SECRET" not in guarded.log_text()


def test_wrong_keys_are_throttled(guarded: Server) -> None:
    claim = json.loads((Path(__file__).parents[2] / "docs/examples/esi-with-fluoroscopy.json")
                       .read_text())  # fmt: skip
    statuses = [
        guarded.post_json("/api/v1/claims/check", claim, **{"X-API-Key": f"guess-{n}"})[0]
        for n in range(12)
    ]
    assert statuses == [403] * 10 + [429] * 2
    status, headers, body = guarded.request(
        "POST",
        "/api/v1/claims/check",
        json.dumps(claim).encode(),
        {"content-type": "application/json", "X-API-Key": KEY},
    )
    assert status == 429, body  # even the right key waits: no guessing at speed
    assert 0 < int(headers["retry-after"]) <= 60
    assert json.loads(body)["type"].endswith("/too-many-requests")
    # The reference routes stay open.
    assert guarded.get("/api/v1/price?code=62323&zip=77030&date=2026-07-15")[0] == 200
