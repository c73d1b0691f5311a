"""Deciding how a bibliography file is encoded, and saying what was decided and why.

Order of evidence: a byte-order mark; UTF-16 without a mark (NUL bytes in every other place);
valid UTF-8; an encoding the file declares (JabRef's ``% Encoding: ...`` header, or a
``charset``/``encoding`` line); then Windows-1252, the encoding of most older European
Windows exports, unless the bytes read far better as GB18030 (Chinese).
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from ..i18n import _

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]
_DECLARED = re.compile(rb"(?im)^\s*%?\s*(?:encoding|charset)\s*[:=]\s*([A-Za-z0-9_.:-]+)")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{2,}")
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str   # Python codec name actually used
    note: str       # why, in the user's language


def _normal(name: str) -> str | None:
    try:
        return codecs.lookup(name.decode("ascii", "replace") if isinstance(name, bytes)
                             else name).name
    except LookupError:
        return None


def _looks_like_utf16(data: bytes) -> str | None:
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2
    if odd > half * 0.3 and even < half * 0.05:
        return "utf-16-le"
    if even > half * 0.3 and odd < half * 0.05:
        return "utf-16-be"
    return None


def _prefer_gb18030(data: bytes, western: str) -> str | None:
    """GB18030 text read as cp1252 is runs of accented symbols; decide by what reads better."""
    non_ascii = sum(1 for c in western if ord(c) > 127)
    if non_ascii < 4:
        return None
    in_runs = sum(len(m.group(0)) for m in _NON_ASCII_RUN.finditer(western))
    if in_runs / non_ascii < 0.8:
        return None
    try:
        chinese = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    return chinese if len(_CJK.findall(chinese)) * 2 >= non_ascii * 0.8 else None


def decode(data: bytes) -> Decoded:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data[len(bom):].decode(codec), codec,
                               _("{codec} (byte-order mark)").format(codec=codec.upper()))
            except UnicodeDecodeError as exc:
                return Decoded(data[len(bom):].decode(codec, "replace"), codec,
                               _("{codec} (byte-order mark), but byte {pos} is invalid and was "
                                 "replaced").format(codec=codec.upper(), pos=exc.start))
    utf16 = _looks_like_utf16(data)
    if utf16:
        return Decoded(data.decode(utf16, "replace"), utf16,
                       _("{codec} without byte-order mark").format(codec=utf16.upper()))
    declared_raw = _DECLARED.search(data[:2000])
    declared = _normal(declared_raw.group(1).decode("ascii", "replace")) if declared_raw else None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start
    else:
        if declared in (None, "utf-8") or text.isascii():
            return Decoded(text, "utf-8", _("UTF-8"))
        return Decoded(text, "utf-8", _("UTF-8 (the file declares {declared}, but its bytes "
                                        "are valid UTF-8)").format(declared=declared))
    line = data.count(b"\n", 0, bad) + 1
    if declared and declared != "utf-8":
        try:
            return Decoded(data.decode(declared), declared,
                           _("{codec}, as the file declares").format(codec=declared))
        except UnicodeDecodeError:
            pass
    western = data.decode("cp1252", "replace")
    chinese = _prefer_gb18030(data, western)
    if chinese is not None:
        return Decoded(chinese, "gb18030",
                       _("GB18030 (not valid UTF-8 from line {line}; the text reads as "
                         "Chinese)").format(line=line))
    if declared == "utf-8":
        return Decoded(western, "cp1252",
                       _("Windows-1252: the file declares UTF-8, but line {line} is not valid "
                         "UTF-8").format(line=line))
    return Decoded(western, "cp1252",
                   _("Windows-1252 (not valid UTF-8 from line {line})").format(line=line))
