"""`python -m brochure`: the same as the `brochure` command."""

from __future__ import annotations

from .cli import main

main()
