"""Fast construction of the checker's result records on its hot paths.

A frozen dataclass's own `__init__` sets each field through `object.__setattr__` by name; a
claim on several dates builds a dozen priced lines and findings, each with up to twelve
fields, and that was 4% of an 837P scrub of the random mix (bench/x12_837.py). `maker(cls)`
gives a constructor taking the fields in order that fills an instance of the record's twin
(`records.slots_twin`) by plain attribute stores and then gives it the record's class: an
ordinary instance, equal, hashable and frozen like any other (as `x12._model.
positional_maker` does for the readers' records).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, TypeVar

from medpayiq.records import slots_twin

__all__ = ["maker"]

T = TypeVar("T")


def maker(cls: type[T]) -> Callable[..., T]:
    """A constructor of `cls` (a slots dataclass, no base class, no __post_init__) taking
    every field, in order, by position."""
    twin = slots_twin(cls)
    if twin is None:
        raise TypeError(f"{cls.__name__} must be a slots dataclass without base or __post_init__")
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    namespace: dict[str, Any] = {"_twin": twin, "_cls": cls}
    body = [f"def make({', '.join(names)}):", "    self = _twin()"]
    body += [f"    self.{name} = {name}" for name in names]
    body += ["    self.__class__ = _cls", "    return self"]
    exec("\n".join(body), namespace)
    made: Callable[..., T] = namespace["make"]
    return made
