"""Finds every translatable string in the code, and merges new ones into the .po catalogues.

``python -m tests.messages`` adds missing msgids (with empty translations) to every catalogue
under ``resources/locale`` and lists them; the i18n tests use ``extract()`` to check that each
catalogue translates every string.
"""
from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

from desktop import i18n, resources_dir

ROOT = Path(__file__).resolve().parent.parent / "desktop"
FUNCTIONS = {"_": 1, "N_": 1, "ngettext": 2}


@dataclass(frozen=True)
class Message:
    msgid: str
    plural: str | None
    where: str


def extract(root: Path = ROOT) -> dict[str, Message]:
    found: dict[str, Message] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in FUNCTIONS):
                continue
            args = node.args[:FUNCTIONS[node.func.id]]
            if not args or not all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                                   for a in args):
                continue
            msgid = args[0].value  # type: ignore[attr-defined]
            plural = args[1].value if len(args) > 1 else None  # type: ignore[attr-defined]
            where = f"{path.relative_to(root.parent)}:{node.lineno}"
            found.setdefault(msgid, Message(msgid, plural, where))
    return found


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def merge(po: Path, messages: dict[str, Message]) -> list[str]:
    known, plurals = i18n.parse_po(po) if po.exists() else ({}, {})
    text = po.read_text(encoding="utf-8") if po.exists() else ""
    existing = set()
    for line in text.splitlines():
        if line.startswith("msgid "):
            existing.add(ast.literal_eval(line[6:]))
    added = []
    with open(po, "a", encoding="utf-8") as fh:
        for msg in messages.values():
            if msg.msgid in existing:
                continue
            fh.write(f"\n#: {msg.where}\nmsgid {_quote(msg.msgid)}\n")
            if msg.plural is None:
                fh.write('msgstr ""\n')
            else:
                fh.write(f'msgid_plural {_quote(msg.plural)}\nmsgstr[0] ""\nmsgstr[1] ""\n')
            added.append(msg.msgid)
    return added


if __name__ == "__main__":
    messages = extract()
    for po in sorted((resources_dir() / "locale").glob("*/LC_MESSAGES/*.po")):
        added = merge(po, messages)
        print(f"{po}: {len(added)} new")
    sys.exit(0)
