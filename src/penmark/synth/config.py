"""Configuration for the synthetic page generator.

One dataclass so that the trainer, the CLI and the tests can tweak the mix of page kinds and
effects without touching the generator code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parents[3]


def _default_ink_dir() -> Path | None:
    env = os.environ.get("PENMARK_INK_DIR")
    if env:
        return Path(env)
    return (_REPO_ROOT / ".." / "shared" / "ink").resolve()


def _default_datasets_dir() -> Path | None:
    env = os.environ.get("PENMARK_DATASETS_DIR")
    if env:
        return Path(env)
    return (_REPO_ROOT / ".." / "shared" / "datasets").resolve()


def _default_font_dirs() -> list[Path]:
    env = os.environ.get("PENMARK_FONT_DIR")
    dirs = [Path(p) for p in env.split(os.pathsep)] if env else []
    dirs.append(_REPO_ROOT / "assets_cache" / "fonts")
    return dirs


@dataclass
class SynthConfig:
    """Knobs of :func:`penmark.synth.generate_page`.

    ``size`` is ``(width, height)`` in pixels (default: US letter at 200 dpi, like the GSA scans).
    ``kinds`` weights the page templates; ``hard_negative_fraction`` is the share of pages that
    carry only print (script fonts, typewritten fill-ins, stamps, barcodes) and no boxes;
    ``rotate_fraction`` is the share of pages turned by 90/180/270 degrees; ``photo_fraction``
    the share photographed by a phone (strong keystone, desk around the page, colour cast,
    shadow; never grey or fax).
    ``ink_dir`` holds real handwriting crops (``../shared/ink``); ``datasets_dir`` the real
    labelled sets whose *train* signatures are pasted; both are skipped when absent.
    ``real_ink_fraction`` / ``real_signature_fraction`` are the shares of handwriting /
    signature items taken from real crops when available; ``hershey_fraction`` the share of
    handwriting drawn as single-stroke Hershey pen paths (optional ``Hershey-Fonts`` package).
    ``cheque_scan_fraction`` is the share of cheque pages rendered as a cheque scanned on its
    own (a landscape image of one cheque, ~2.2:1, 1100-1700 px wide, as bank cheque scanners
    and the real cheque set deliver) instead of cheques on a letter-size sheet; 0 by default
    so that fixed-seed evaluation sets stay as they were.
    ``wide_gap_fraction`` is the share of filled-in phrases written with 2-5x the word gaps
    ("Five Lakh   Seventy   thousand": amounts in words spread along a cheque line), still one
    box; 0 by default for the same reason.
    ``legible_initials_fraction`` is the share of initials written as plain capitals in the
    page writer's hand ("LB", "J.A.K."), still labelled ``signature``; 0 by default for the
    same reason.
    ``system_fonts`` adds installed DejaVu/Liberation faces to the bundled print fonts (set it
    False for pages that are identical across machines). ``return_masks`` adds per-class ink
    masks to the
    page (used by tests; costs time).
    """

    size: tuple[int, int] = (1700, 2200)
    hard_negative_fraction: float = 0.1
    rotate_fraction: float = 0.04
    kinds: dict[str, float] = field(
        default_factory=lambda: {
            "letter": 0.22,
            "lease": 0.26,
            "form": 0.22,
            "invoice": 0.12,
            "cheque": 0.10,
            "note": 0.08,
            "table": 0.06,
        }
    )
    skew_degrees: float = 3.0
    perspective_fraction: float = 0.1
    photo_fraction: float = 0.06
    grey_fraction: float = 0.45
    fax_fraction: float = 0.2
    jpeg_fraction: float = 0.5
    real_ink_fraction: float = 0.4
    real_signature_fraction: float = 0.35
    hershey_fraction: float = 0.12
    cheque_scan_fraction: float = 0.0
    wide_gap_fraction: float = 0.0
    legible_initials_fraction: float = 0.0
    ink_dir: Path | None = field(default_factory=_default_ink_dir)
    datasets_dir: Path | None = field(default_factory=_default_datasets_dir)
    font_dirs: list[Path] = field(default_factory=_default_font_dirs)
    system_fonts: bool = True
    return_masks: bool = False

    def with_options(self, options: dict[str, str]) -> SynthConfig:
        """A copy with numeric / boolean knobs set from text (``{"real_ink_fraction": "0.6"}``),
        as given on a command line (``--synth-option real_ink_fraction=0.6``). Unknown names and
        values that do not parse raise ``ValueError`` naming them, and shares must lie in
        [0, 1]: a typo must not silently train or generate with the defaults."""
        settable = sorted(f.name for f in fields(self)
                          if isinstance(getattr(self, f.name), (bool, int, float)))
        changes: dict[str, object] = {}
        for name, text in options.items():
            if name not in settable:
                raise ValueError(f"unknown synth option {name!r}; settable: {', '.join(settable)}")
            current = getattr(self, name)
            try:
                if isinstance(current, bool):
                    if text.lower() not in ("true", "false", "1", "0"):
                        raise ValueError(text)
                    value: object = text.lower() in ("true", "1")
                else:
                    value = type(current)(text)
            except ValueError:
                raise ValueError(f"synth option {name}: cannot read {text!r} as "
                                 f"{type(current).__name__}") from None
            if name.endswith("_fraction") and not 0.0 <= float(value) <= 1.0:  # type: ignore[arg-type]
                raise ValueError(f"synth option {name}: a share must be in [0, 1], got {text}")
            changes[name] = value
        return replace(self, **changes)
