"""Small helpers that turn service values into the HTML of detail panels."""
from __future__ import annotations

from collections.abc import Iterable
from html import escape

# Colours of states and problems, the same in every panel and dialog.
OK_COLOUR = "#2e7d32"
WARNING_COLOUR = "#b26a00"
ERROR_COLOUR = "#c62828"


def field_table(rows: Iterable[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><td style='color:#555;padding-right:12px;vertical-align:top'>{escape(k)}</td>"
        f"<td>{escape(v)}</td></tr>" for k, v in rows if v)
    return f"<table cellspacing='2'>{cells}</table>"


def paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in text.split("\n") if p.strip())
