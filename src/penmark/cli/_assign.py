"""``NAME=VALUE`` command-line options (``--source-weight gsa_leases=3``,
``--synth-option real_ink_fraction=0.6``): parsed in one place so every command reports a
malformed item the same way."""

from __future__ import annotations

import typer


def parse_assignments(items: list[str], option: str) -> dict[str, str]:
    """``["a=1", "b=x"]`` -> ``{"a": "1", "b": "x"}``; a missing name, ``=`` or value is a
    usage error naming ``option`` and the item."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise typer.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint=option)
        out[name.strip()] = value.strip()
    return out
