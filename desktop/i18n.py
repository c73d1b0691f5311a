"""Translation of user-visible text through gettext, usable from every layer.

Catalogues are the ``.po`` files in ``resources/locale/<lang>/LC_MESSAGES/tandem.po``, read
directly: no compiled ``.mo`` files to build or ship. English is the source language.
Strings defined at import time are marked with ``N_`` and translated where they are shown, so a
language switch takes effect without restarting.
"""
from __future__ import annotations

import ast
import gettext
import locale
import os
from collections.abc import Callable
from pathlib import Path

from . import resources_dir

DOMAIN = "tandem"
LANGUAGES: dict[str, str] = {"en": "English", "nl": "Nederlands"}

_translation: gettext.NullTranslations = gettext.NullTranslations()
_current = "en"


class PoTranslations(gettext.NullTranslations):
    """A catalogue read from a .po file; Dutch and English both use plural = (n != 1)."""

    def __init__(self, messages: dict[str, str], plurals: dict[str, list[str]]) -> None:
        super().__init__()
        self._messages = messages
        self._plurals = plurals

    def gettext(self, message: str) -> str:
        return self._messages.get(message) or message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        forms = self._plurals.get(msgid1)
        if forms and all(forms):
            return forms[0 if n == 1 else min(1, len(forms) - 1)]
        return msgid1 if n == 1 else msgid2


def parse_po(path: Path) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Read msgid/msgstr pairs (with plural forms); fuzzy entries are skipped like msgfmt does."""
    messages: dict[str, str] = {}
    plurals: dict[str, list[str]] = {}
    entry: dict[str, str] = {}
    key = ""
    fuzzy = False

    def flush() -> None:
        nonlocal entry, fuzzy
        msgid = entry.get("msgid", "")
        if msgid and not fuzzy:
            if "msgid_plural" in entry:
                forms = [entry[k] for k in sorted(k for k in entry if k.startswith("msgstr["))]
                plurals[msgid] = forms
            elif entry.get("msgstr"):
                messages[msgid] = entry["msgstr"]
        entry, fuzzy = {}, False

    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        complete = any(k.startswith("msgstr") for k in entry)
        if not line:
            continue
        if line.startswith("#"):
            if complete:
                flush()
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            continue
        if line.startswith('"'):
            entry[key] = entry.get(key, "") + _literal(line, path, lineno)
            continue
        word, _sep, rest = line.partition(" ")
        if word in ("msgid", "msgctxt") and complete:
            flush()
        key = word
        entry[key] = _literal(rest, path, lineno)
    flush()
    return messages, plurals


def _literal(text: str, path: Path, lineno: int) -> str:
    try:
        value = ast.literal_eval(text)
    except (SyntaxError, ValueError) as exc:
        raise ValueError(f"{path}:{lineno}: not a quoted string: {text!r}") from exc
    if not isinstance(value, str):
        raise ValueError(f"{path}:{lineno}: not a quoted string: {text!r}")
    return value


def catalogue_path(language: str) -> Path:
    return resources_dir() / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def system_language() -> str:
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            code = value.split(":")[0][:2].lower()
            return code if code in LANGUAGES else "en"
    code = (locale.getlocale()[0] or "en")[:2].lower()
    return code if code in LANGUAGES else "en"


def resolve(preference: str) -> str:
    """'system' or a language code to a language this build has."""
    code = system_language() if preference in ("", "system") else preference
    return code if code in LANGUAGES else "en"


def set_language(preference: str) -> str:
    """Switch every later ``_()`` call to this language; returns the code now in force."""
    global _translation, _current
    code = resolve(preference)
    path = catalogue_path(code)
    if code == "en" or not path.exists():
        _translation = gettext.NullTranslations()
    else:
        _translation = PoTranslations(*parse_po(path))
    _current = code
    return code


def translator(language: str) -> Callable[[str], str]:
    """A ``_`` for another language than the user's: an exported document speaks its own."""
    code = language if language in LANGUAGES else "en"
    path = catalogue_path(code)
    if code == "en" or not path.exists():
        return gettext.NullTranslations().gettext
    return PoTranslations(*parse_po(path)).gettext


def current_language() -> str:
    return _current


def _(message: str) -> str:
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for translation where it is defined; translate it with ``_`` where shown."""
    return message
