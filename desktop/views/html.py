"""Small helpers that turn service values into the HTML of detail panels."""
from __future__ import annotations

from collections.abc import Iterable
from html import escape


def field_table(rows: Iterable[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><td style='color:#555;padding-right:12px;vertical-align:top'>{escape(k)}</td>"
        f"<td>{escape(v)}</td></tr>" for k, v in rows if v)
    return f"<table cellspacing='2'>{cells}</table>"


def paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in text.split("\n") if p.strip())
