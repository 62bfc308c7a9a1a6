"""The JSON API (/api/v1): routes, RFC 9457 errors, API keys. Mounted by
`medpayiq.web.create_app`."""

from __future__ import annotations

from medpayiq.api.auth import ApiKeys, hash_key, load_keys
from medpayiq.api.errors import Problem, problem_for

__all__ = ["ApiKeys", "Problem", "hash_key", "load_keys", "problem_for"]
