#!/usr/bin/env python3
"""Fetch handwriting / script / typewriter fonts for ``penmark.synth`` from the npm registry.

Why npm: the ``@fontsource/*`` packages carry Google Fonts families (OFL-1.1 or Apache-2.0) as
woff2 files, which Pillow reads directly, and npm packages are immutable per version, so pinning
``name@version`` makes the asset set reproducible.

Usage::

    python scripts/fetch_fonts.py --dest src/penmark/synth/assets/fonts   # the bundled set
    python scripts/fetch_fonts.py --dest DIR      # a cache dir (point PENMARK_FONT_DIR at it)

To try more families, add them to ``FONTS`` (with a role) and fetch into a cache dir.

For every family the script keeps ``<family>-latin-400-normal.woff2`` and writes ``LICENSES.md``
(family, package@version, licence type, attribution) next to the fonts. Fonts whose licence is not
OFL-1.1 or Apache-2.0 are refused.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# role: "hand" = handwriting (labelled when drawn as fill-in), "sig" = signature-style cursive,
# "script" = printed script (hard negative only), "type" = typewriter (hard negative fill-ins).
FONTS: list[tuple[str, str, str]] = [
    ("caveat", "5.3.0", "hand"),
    ("homemade-apple", "5.3.0", "hand"),
    ("reenie-beanie", "5.3.0", "hand"),
    ("indie-flower", "5.3.0", "hand"),
    ("shadows-into-light", "5.3.0", "hand"),
    ("nothing-you-could-do", "5.3.0", "hand"),
    ("la-belle-aurore", "5.3.0", "sig"),
    ("dawning-of-a-new-day", "5.3.0", "sig"),
    ("cedarville-cursive", "5.3.0", "hand"),
    ("zeyada", "5.3.0", "hand"),
    ("kristi", "5.3.0", "sig"),
    ("mrs-saint-delafield", "5.3.0", "sig"),
    ("mr-dafoe", "5.3.0", "sig"),
    ("herr-von-muellerhoff", "5.3.0", "sig"),
    ("over-the-rainbow", "5.3.0", "hand"),
    ("just-another-hand", "5.3.0", "hand"),
    ("gochi-hand", "5.3.0", "hand"),
    ("covered-by-your-grace", "5.3.0", "hand"),
    ("waiting-for-the-sunrise", "5.3.0", "hand"),
    ("gloria-hallelujah", "5.3.0", "hand"),
    ("kalam", "5.3.0", "hand"),
    ("architects-daughter", "5.3.0", "hand"),
    ("the-girl-next-door", "5.3.0", "hand"),
    ("loved-by-the-king", "5.3.0", "hand"),
    ("sue-ellen-francisco", "5.3.0", "hand"),
    ("just-me-again-down-here", "5.3.0", "hand"),
    ("give-you-glory", "5.3.0", "hand"),
    ("rock-salt", "5.3.0", "hand"),
    ("schoolbell", "5.3.0", "hand"),
    ("calligraffitti", "5.3.0", "hand"),
    ("meddon", "5.3.0", "sig"),
    ("monsieur-la-doulaise", "5.3.0", "sig"),
    ("sacramento", "5.3.0", "sig"),
    ("allura", "5.3.0", "script"),
    ("great-vibes", "5.3.0", "script"),
    ("dancing-script", "5.3.0", "script"),
    ("pinyon-script", "5.3.0", "script"),
    ("parisienne", "5.3.0", "script"),
    ("special-elite", "5.3.0", "type"),
    ("cutive-mono", "5.3.0", "type"),
    ("courier-prime", "5.3.0", "type"),
]

# Printed body faces (role "print"): Tinos / Arimo / Cousine are the Liberation designs
# (metric-compatible with Times New Roman / Arial / Courier New), so they make office documents
# look right without the system having fonts-liberation. Regular, bold, italic, bold italic.
PRINT_FONTS: list[tuple[str, str]] = [
    ("tinos", "5.3.0"),
    ("arimo", "5.3.0"),
    ("cousine", "5.3.0"),
]
PRINT_STYLES = ("400-normal", "700-normal", "400-italic", "700-italic")

ALLOWED = {"OFL-1.1", "Apache-2.0", "OFL", "SIL Open Font License, 1.1"}


def fetch(family: str, version: str, dest: Path, tmp: Path,
          styles: tuple[str, ...] = ("400-normal",)) -> dict[str, str] | None:
    """npm-pack one family and extract its latin woff2 files; return its licence record."""
    spec = f"@fontsource/{family}@{version}"
    out = subprocess.run(
        ["npm", "pack", spec, "--silent", "--pack-destination", str(tmp)],
        capture_output=True, text=True, timeout=180,
    )
    if out.returncode != 0:
        print(f"  ! {spec}: {out.stderr.strip()[:200]}", file=sys.stderr)
        return None
    tgz = tmp / out.stdout.strip().splitlines()[-1]
    with tarfile.open(tgz) as tar:
        meta = json.load(tar.extractfile("package/metadata.json"))  # type: ignore[arg-type]
        lic = meta.get("license", {})
        if lic.get("type") not in ALLOWED:
            print(f"  ! {spec}: licence {lic.get('type')} not allowed", file=sys.stderr)
            return None
        files = []
        for st in styles:
            member = f"package/files/{family}-latin-{st}.woff2"
            data = tar.extractfile(member).read()  # type: ignore[union-attr]
            name = f"{family}.woff2" if styles == ("400-normal",) else f"{family}-{st}.woff2"
            (dest / name).write_bytes(data)
            files.append(name)
    return {
        "family": meta.get("family", family),
        "file": ", ".join(files),
        "package": spec,
        "license": lic.get("type", "?"),
        "attribution": lic.get("attribution", ""),
        "category": meta.get("category", ""),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dest", type=Path, default=Path("assets_cache/fonts"))
    args = ap.parse_args()
    args.dest.mkdir(parents=True, exist_ok=True)
    records: list[dict[str, str]] = []
    roles: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmpd:
        for family, version, role in FONTS:
            print(f"fetching {family}@{version}")
            rec = fetch(family, version, args.dest, Path(tmpd))
            if rec:
                rec["role"] = role
                records.append(rec)
                roles[rec["file"]] = role
        for family, version in PRINT_FONTS:
            print(f"fetching {family}@{version} (print)")
            rec = fetch(family, version, args.dest, Path(tmpd), PRINT_STYLES)
            if rec:
                rec["role"] = "print"
                records.append(rec)
    (args.dest / "roles.json").write_text(json.dumps(roles, indent=1, sort_keys=True) + "\n")
    lines = [
        "# Font licences",
        "",
        "Fetched by `scripts/fetch_fonts.py` from the npm registry (`@fontsource/*`, "
        "Google Fonts).",
        "OFL-1.1: SIL Open Font License 1.1 (https://openfontlicense.org); Apache-2.0: Apache "
        "License 2.0.",
        "",
        "| file | family | package | licence | role | attribution |",
        "|---|---|---|---|---|---|",
    ]
    for r in records:
        attrib = r["attribution"].replace("|", "/").replace("\n", " ")
        lines.append(
            f"| {r['file']} | {r['family']} | `{r['package']}` | {r['license']} | {r['role']} "
            f"| {attrib} |"
        )
    (args.dest / "LICENSES.md").write_text("\n".join(lines) + "\n")
    print(f"{len(records)} fonts in {args.dest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
