"""Font discovery and cached loading.

Handwriting, signature-style, printed-script and typewriter fonts come from the bundled
``assets/fonts`` folder (plus any cache folders from ``scripts/fetch_fonts.py``); each folder has a
``roles.json`` mapping file name -> role. Printed body fonts come from the bundled Tinos / Arimo /
Cousine (the Liberation designs) and, unless ``SynthConfig.system_fonts`` is False, the system
(DejaVu / Liberation). Pages are reproducible across machines only with ``system_fonts=False``
(the font pool then does not depend on what is installed). Loading a FreeType face is slow
(~1 ms), so faces are cached per (path, size).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

ASSET_FONTS = Path(__file__).parent / "assets" / "fonts"

SYSTEM_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/truetype/liberation"),
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/freefont"),
)

# Printed body fonts: (file-name glob, family key, style). DejaVu ships with Debian base images;
# Liberation (Times/Arial/Courier metrics) when `fonts-liberation` is installed.
_PRINT_PATTERNS = {
    "serif": ["LiberationSerif-*.ttf", "DejaVuSerif*.ttf", "tinos-*.woff2", "FreeSerif*.ttf"],
    "sans": ["LiberationSans-*.ttf", "DejaVuSans-*.ttf", "DejaVuSans.ttf", "arimo-*.woff2",
             "DejaVuSansCondensed*.ttf", "FreeSans*.ttf"],
    "mono": ["LiberationMono-*.ttf", "DejaVuSansMono*.ttf", "cousine-*.woff2", "FreeMono*.ttf"],
}


def _style_of(name: str) -> str:
    low = name.lower()
    bold = "bold" in low or "-700" in low
    italic = "italic" in low or "oblique" in low
    return ("b" if bold else "") + ("i" if italic else "") or "r"


class FontBank:
    """All fonts usable by the generator, grouped by role (and print fonts by family/style)."""

    def __init__(self, dirs: Iterable[Path], system: bool = True) -> None:
        self.roles: dict[str, list[str]] = {"hand": [], "sig": [], "script": [], "type": []}
        seen: set[str] = set()
        for d in [ASSET_FONTS, *dirs]:
            roles_file = Path(d) / "roles.json"
            if not roles_file.exists():
                continue
            for fname, role in sorted(json.loads(roles_file.read_text()).items()):
                path = Path(d) / fname
                if fname in seen or not path.exists() or role not in self.roles:
                    continue
                seen.add(fname)
                self.roles[role].append(str(path))
        self.print: dict[str, dict[str, list[str]]] = {}
        for family, patterns in _PRINT_PATTERNS.items():
            styles: dict[str, list[str]] = {}
            for folder in (*(SYSTEM_FONT_DIRS if system else ()), ASSET_FONTS):
                for pat in patterns:
                    for p in sorted(folder.glob(pat)):
                        if "ExtraLight" in p.name or "MathTeX" in p.name:
                            continue
                        styles.setdefault(_style_of(p.name), []).append(str(p))
            if styles:
                self.print[family] = {k: sorted(set(v)) for k, v in styles.items()}
        if not self.print:
            raise RuntimeError("no printed fonts found (install fonts-dejavu-core)")
        # Handwriting must never be empty: fall back to signature fonts and vice versa.
        if not self.roles["hand"]:
            self.roles["hand"] = self.roles["sig"] or self.roles["script"]
        if not self.roles["sig"]:
            self.roles["sig"] = self.roles["hand"]
        if not self.roles["hand"]:
            raise RuntimeError("no handwriting fonts found in penmark/synth/assets/fonts")

    def print_font(self, family: str, style: str, rng) -> str:
        """Path of a printed font of ``family`` ('serif'/'sans'/'mono') and ``style`` (r/b/i/bi)."""
        if family == "type" and self.roles["type"]:
            # Typewriter faces double as body text (Tobacco800-era letters are typewritten).
            return self.roles["type"][rng.randrange(len(self.roles["type"]))]
        fam = self.print.get(family) or next(iter(self.print.values()))
        choices = fam.get(style) or fam.get("r") or next(iter(fam.values()))
        return choices[rng.randrange(len(choices))]


@lru_cache(maxsize=4096)
def font(path: str, size: int) -> ImageFont.FreeTypeFont:
    """Cached FreeType face (loading one, with woff2 decoding, costs ~0.5 ms)."""
    return ImageFont.truetype(path, max(4, int(size)))


@lru_cache(maxsize=8)
def font_bank(dirs: tuple[str, ...], system: bool = True) -> FontBank:
    """Process-wide cached :class:`FontBank` for a tuple of extra folders."""
    return FontBank((Path(d) for d in dirs), system)
