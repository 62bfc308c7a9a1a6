"""Policy packs: coverage rules kept as data (YAML files in `knowledge/packs/`).

A pack names the codes it governs, and each rule carries a `kind` (the check that applies
it, in `medpayiq.edits`), its parameters, the adjustment codes a denial would bring, what to
fix, what to send on appeal, its source citation and the dates it is in force. Packs are read
once and validated: a malformed pack is a bug in the package, reported with its file and rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from medpayiq import packaged_yaml

__all__ = [
    "PolicyCode",
    "PolicyPack",
    "PolicyRule",
    "PolicySource",
    "policy_pack",
    "policy_packs",
]

RULE_KINDS = frozenset(
    {
        "frequency",
        "one_region",
        "levels",
        "imaging_required",
        "imaging_bundled",
        "kx_modifier",
        "covered_diagnosis",
    }
)
SEVERITIES = frozenset({"deny", "review", "info"})


@dataclass(frozen=True)
class PolicySource:
    id: str
    title: str
    url: str


@dataclass(frozen=True)
class PolicyCode:
    """A code the pack governs: its spinal region, approach, and whether it includes imaging."""

    hcpcs: str
    region: str
    approach: str
    imaging: bool
    addon: bool


@dataclass(frozen=True)
class PolicyRule:
    id: str
    kind: str
    severity: str
    params: Mapping[str, Any]
    carc: tuple[str, ...]
    rarc: tuple[str, ...]
    summary: str
    fix: str
    appeal_send: tuple[str, ...]
    citation: str
    effective_from: date
    effective_to: date | None

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


@dataclass(frozen=True)
class PolicyPack:
    id: str
    title: str
    file: str
    effective_from: date
    effective_to: date | None
    sources: tuple[PolicySource, ...]
    regions: Mapping[str, str]
    codes: Mapping[str, PolicyCode]
    rules: tuple[PolicyRule, ...]
    documentation: tuple[str, ...]
    _by_kind: dict[str, PolicyRule] = field(default_factory=dict, repr=False, compare=False)

    def rule(self, kind: str, day: date) -> PolicyRule | None:
        """The rule of `kind` in force on `day`, if the pack has one."""
        rule = self._by_kind.get(kind)
        return rule if rule is not None and rule.in_force(day) else None

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


class _PackError(ValueError):
    pass


def _need(mapping: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in mapping:
        raise _PackError(f'{where}: "{key}" is missing')
    return mapping[key]


def _date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise _PackError(f'{where}: "{value}" is not a date (YYYY-MM-DD)') from exc


def _optional_date(value: Any, where: str) -> date | None:
    return None if value in (None, "") else _date(value, where)


def _rule(raw: Mapping[str, Any], where: str) -> PolicyRule:
    rule_id = str(_need(raw, "id", where))
    where = f"{where}, rule {rule_id}"
    kind = str(_need(raw, "kind", where))
    if kind not in RULE_KINDS:
        raise _PackError(f'{where}: kind "{kind}" is not one of {sorted(RULE_KINDS)}')
    severity = str(_need(raw, "severity", where))
    if severity not in SEVERITIES:
        raise _PackError(f'{where}: severity "{severity}" is not one of {sorted(SEVERITIES)}')
    return PolicyRule(
        id=rule_id,
        kind=kind,
        severity=severity,
        params=dict(raw.get("params") or {}),
        carc=tuple(str(c) for c in raw.get("carc") or ()),
        rarc=tuple(str(c) for c in raw.get("rarc") or ()),
        summary=str(_need(raw, "summary", where)).strip(),
        fix=str(_need(raw, "fix", where)).strip(),
        appeal_send=tuple(str(s) for s in raw.get("appeal_send") or ()),
        citation=str(_need(raw, "citation", where)),
        effective_from=_date(_need(raw, "effective_from", where), where),
        effective_to=_optional_date(raw.get("effective_to"), where),
    )


def _pack(raw: Mapping[str, Any], file: str) -> PolicyPack:
    codes = {
        str(code): PolicyCode(
            hcpcs=str(code),
            region=str(_need(spec, "region", f"{file}, code {code}")),
            approach=str(_need(spec, "approach", f"{file}, code {code}")),
            imaging=bool(spec.get("imaging", False)),
            addon=bool(spec.get("addon", False)),
        )
        for code, spec in dict(_need(raw, "codes", file)).items()
    }
    regions = {str(k): str(v) for k, v in dict(_need(raw, "regions", file)).items()}
    for code in codes.values():
        if code.region not in regions:
            raise _PackError(f'{file}, code {code.hcpcs}: region "{code.region}" is not declared')
    rules = tuple(_rule(r, file) for r in _need(raw, "rules", file))
    kinds = [r.kind for r in rules]
    if len(set(kinds)) != len(kinds):
        raise _PackError(f"{file}: each rule kind may appear once")
    return PolicyPack(
        id=str(_need(raw, "id", file)),
        title=str(_need(raw, "title", file)),
        file=file,
        effective_from=_date(_need(raw, "effective_from", file), file),
        effective_to=_optional_date(raw.get("effective_to"), file),
        sources=tuple(
            PolicySource(str(s["id"]), str(s["title"]), str(s.get("url", "")))
            for s in raw.get("sources") or ()
        ),
        regions=regions,
        codes=codes,
        rules=rules,
        documentation=tuple(str(d) for d in raw.get("documentation") or ()),
        _by_kind={r.kind: r for r in rules},
    )


@cache
def policy_packs() -> tuple[PolicyPack, ...]:
    """Every pack shipped in the package, in file name order."""
    folder = resources.files("medpayiq.knowledge") / "packs"
    packs = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            raw = packaged_yaml.safe_load(entry.read_text(encoding="utf-8"))
            packs.append(_pack(raw, f"knowledge/packs/{entry.name}"))
    return tuple(packs)


def policy_pack(pack_id: str) -> PolicyPack:
    """The pack with this id. Raises KeyError naming the packs there are."""
    for pack in policy_packs():
        if pack.id == pack_id:
            return pack
    raise KeyError(f'no policy pack "{pack_id}": there are {[p.id for p in policy_packs()]}')
