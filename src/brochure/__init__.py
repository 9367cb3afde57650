"""brochure: turn a clinic's Markdown service pages into print-ready PDF brochures."""

from __future__ import annotations

__version__ = "0.1.0"
