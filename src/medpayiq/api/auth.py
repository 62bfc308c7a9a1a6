"""API keys for the claim endpoints: off by default, on with `medpayiq serve --api-keys FILE`.

The keys file holds one key per line as `TENANT SHA256HEX` (the hex SHA-256 of the key; the
key itself is never stored). Blank lines and `#` comments are ignored:

    # practice    sha256 of the key
    northside     5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8

A request sends its key as `Authorization: Bearer KEY` or `X-API-Key: KEY`. The key's tenant
scopes the request: claims are never stored and never cached, so nothing about one tenant's
claims can reach another tenant's answers.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

from medpayiq.errors import InputError

__all__ = ["ApiKeys", "KeyRefused", "authorize", "hash_key", "key_from_headers", "load_keys"]


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_from_headers(authorization: str | None, x_api_key: str | None) -> str | None:
    """The key a request sends: `Authorization: Bearer KEY`, else `X-API-Key: KEY`."""
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip() or None
    return x_api_key.strip() if x_api_key and x_api_key.strip() else None


@dataclass(frozen=True)
class ApiKeys:
    """Tenants by key hash. An empty set means API-key mode is off."""

    by_hash: dict[str, str]

    @property
    def enabled(self) -> bool:
        return bool(self.by_hash)

    def tenant_for(self, key: str | None) -> str | None:
        """The tenant owning `key`, or None. Compared in constant time."""
        if not key:
            return None
        digest = hash_key(key.strip())
        for known, tenant in self.by_hash.items():
            if hmac.compare_digest(known, digest):
                return tenant
        return None


class KeyRefused(Exception):
    """A request in API-key mode without a key (`status` 401) or with an unknown one (403)."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


def authorize(keys: ApiKeys, *, authorization: str | None, x_api_key: str | None) -> str:
    """The tenant a request speaks for, from its `Authorization: Bearer KEY` or `X-API-Key`
    header: "local" when API-key mode is off; KeyRefused when the key is missing or unknown.
    The one check behind the API's claim endpoints and `medpayiq mcp --http`."""
    if not keys.enabled:
        return "local"
    key = key_from_headers(authorization, x_api_key)
    if not key:
        raise KeyRefused(401, "an API key is required: send Authorization: Bearer KEY")
    found = keys.tenant_for(key)
    if found is None:
        raise KeyRefused(403, "the API key is not valid")
    return found


def load_keys(path: str | Path) -> ApiKeys:
    """Read a keys file; a malformed line raises InputError naming file and line."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"{file}: cannot read the API keys file ({exc.strerror})", parameter="api-keys"
        ) from None
    by_hash: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.replace(":", " ").split()
        if (
            len(parts) != 2
            or len(parts[1]) != 64
            or any(c not in "0123456789abcdefABCDEF" for c in parts[1])
        ):
            raise InputError(
                f"{file} line {number}: expected TENANT SHA256HEX (64 hex digits)",
                parameter="api-keys",
            )
        by_hash[parts[1].lower()] = parts[0]
    if not by_hash:
        raise InputError(f"{file}: no keys in the API keys file", parameter="api-keys")
    return ApiKeys(by_hash)


NO_KEYS = ApiKeys({})
