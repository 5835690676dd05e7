"""Synthetic document pages with exact handwriting / signature boxes (issue #2).

``generate_page(seed, config)`` renders one page; ``generate_dataset`` writes JPEGs plus COCO
JSON; ``render_preview`` draws a contact sheet. No torch here: the trainer imports this in data
loader workers.
"""

from .config import SynthConfig
from .dataset import generate_dataset, render_preview
from .page import Page, generate_page

__all__ = ["Page", "SynthConfig", "generate_dataset", "generate_page", "render_preview"]
