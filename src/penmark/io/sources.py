"""Command-line style inputs -> a flat, ordered list of sources.

Folders are searched recursively for known suffixes, globs (``scans/**/*.pdf``) are expanded by
Python (so they also work where the shell does not expand them), ``-`` means standard input. An
explicit file is kept even if it does not exist or has an odd suffix: the reader then reports
the reason for it in the output, instead of the file silently vanishing from the batch.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".tif", ".tiff", ".bmp", ".webp", ".gif", ".pdf"}
)
_GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class Source:
    """One input. ``path`` is what the reader opens (``"-"`` for stdin); ``name`` is the
    relative name used to place derived files (``--draw``/``--crop``/``--redact``) under an output
    folder, mirroring the input folder structure."""

    path: str
    name: str


def _walk(folder: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for f in sorted(files):
            if not f.startswith(".") and Path(f).suffix.lower() in SUFFIXES:
                found.append(Path(root) / f)
    return found


def expand_inputs(inputs: Iterable[str | os.PathLike]) -> tuple[list[Source], list[str]]:
    """Return ``(sources, warnings)``; warnings name globs and folders that matched nothing."""
    sources: list[Source] = []
    warnings: list[str] = []
    seen: set[str] = set()
    names: set[str] = set()

    def add(path: str, name: str) -> None:
        if path != "-" and path in seen:
            return
        seen.add(path)
        sources.append(Source(path, _unique(name, path, names)))

    for raw in inputs:
        arg = os.fspath(raw)
        p = Path(arg)
        if arg == "-":
            add("-", "stdin")
        elif p.is_dir():
            files = _walk(p)
            if not files:
                warnings.append(f"{arg}: no documents found in folder")
            for f in files:
                add(str(f), str(f.relative_to(p)))
        elif not p.exists() and _GLOB_CHARS & set(arg):
            matches = sorted(glob.glob(arg, recursive=True))
            files = [Path(m) for m in matches if Path(m).is_file()]
            if not files:
                warnings.append(f"{arg}: no files match")
            base = _glob_base(arg)
            for f in files:
                try:
                    name = str(f.relative_to(base))
                except ValueError:
                    name = f.name
                add(str(f), name)
        else:
            add(arg, p.name)
    return sources, warnings


def _unique(name: str, path: str, used: set[str]) -> str:
    """Derived files of two inputs must not overwrite each other: ``a/x.png`` and ``b/x.png``
    given as two arguments become ``x.png`` and ``b/x.png``."""
    candidate = name
    parts = [p for p in Path(path).parts if p not in ("/", "..", ".")]
    k = 2
    while candidate.lower() in used and k <= len(parts):
        candidate = str(Path(*parts[-k:]))  # add parent folders until unique
        k += 1
    n = 2
    base = candidate
    while candidate.lower() in used:
        stem, dot, ext = base.rpartition(".")
        candidate = f"{stem}-{n}.{ext}" if dot else f"{base}-{n}"
        n += 1
    used.add(candidate.lower())
    return candidate


def _glob_base(pattern: str) -> Path:
    """The folder part of a glob before its first wildcard (``a/b/**/*.pdf`` -> ``a/b``)."""
    parts = Path(pattern).parts
    base: list[str] = []
    for part in parts:
        if _GLOB_CHARS & set(part):
            break
        base.append(part)
    return Path(*base) if base else Path(".")
