"""LaTeX in BibTeX field values: decoding to plain Unicode, and splitting name lists.

Owns ``latex_to_unicode`` (a field value, outer delimiters already removed, to readable Unicode
text) and ``split_names`` (an ``author``/``editor`` value to CSL-JSON name dicts, following
BibTeX's own rules for ``First von Last``, ``von Last, First`` and ``von Last, Jr, First``).

Written because bibtexparser's LatexDecodingMiddleware costs 25–50 s per 10,000 entries and
turns ``{\\today}`` into the date of the import. This decoder is a single left-to-right scan
with precompiled regexes; values with nothing to decode are returned untouched at once.

Decoding is best effort and never raises: unknown commands keep their argument (``\\foo{bar}``
→ ``bar``) or their name (``\\foo`` → ``foo``), unbalanced braces are dropped, a stray ``$`` or
trailing backslash is kept or dropped rather than reported.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["latex_to_unicode", "split_names"]

# --- tables ---------------------------------------------------------------------------------

# Accent commands → combining mark. Control symbols (\' \" ...) and control words (\v \c ...)
# share the table; the math accents (\hat, \vec ...) are here too so they work in either mode.
_ACCENTS: dict[str, str] = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303",
    "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b",
    "c": "\u0327", "k": "\u0328", "r": "\u030a", "d": "\u0323", "b": "\u0331",
    "t": "\u0361",
    "hat": "\u0302", "widehat": "\u0302", "check": "\u030c", "tilde": "\u0303",
    "widetilde": "\u0303", "acute": "\u0301", "grave": "\u0300", "dot": "\u0307",
    "ddot": "\u0308", "breve": "\u0306", "bar": "\u0304", "vec": "\u20d7",
    "overline": "\u0305", "mathring": "\u030a",
}
# An accent over nothing (\'{}) is printed as the spacing form of the accent.
_SPACING = {
    "\u0301": "\u00b4", "\u0300": "`", "\u0302": "^", "\u0308": "\u00a8", "\u0303": "~",
    "\u0304": "\u00af", "\u0307": "\u02d9", "\u0306": "\u02d8", "\u030c": "\u02c7",
    "\u030b": "\u02dd", "\u0327": "\u00b8", "\u0328": "\u02db", "\u030a": "\u02da",
}
# Marks that sit above the letter: on \i and \j they mean a plain i or j with that accent,
# and Unicode only composes the accented letter from the dotted base.
_ABOVE = frozenset("\u0301\u0300\u0302\u0308\u0303\u0304\u0307\u0306\u030c\u030b\u030a\u0305")
_DOTLESS = {"\u0131": "i", "\u0237": "j"}

# Text-mode control words that print a symbol. TeX swallows the spaces after a control word,
# so these do too (``\ss e`` is "ße"); the usual ``{\ss}`` or ``\ss{}`` forms are unaffected.
# \I is not LaTeX, but Turkish names in real files use {\I} for İ.
_TEXT_SYMBOLS: dict[str, str] = {
    "ss": "ß", "SS": "SS", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
    "aa": "å", "AA": "Å", "l": "ł", "L": "Ł", "i": "\u0131", "j": "\u0237", "I": "İ",
    "dh": "ð", "DH": "Ð", "dj": "đ", "DJ": "Đ", "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ",
    "textendash": "–", "textemdash": "—", "textquoteright": "’", "textquoteleft": "‘",
    "textquotedblleft": "“", "textquotedblright": "”", "textquotesingle": "'",
    "textquotedbl": '"', "quotedblbase": "„", "quotesinglbase": "‚",
    "guillemotleft": "«", "guillemotright": "»", "guillemetleft": "«", "guillemetright": "»",
    "guilsinglleft": "‹", "guilsinglright": "›",
    "textregistered": "®", "texttrademark": "™", "copyright": "©", "textcopyright": "©",
    "S": "§", "P": "¶", "textsection": "§", "textparagraph": "¶",
    "dag": "†", "ddag": "‡", "textdagger": "†", "textdaggerdbl": "‡",
    "textellipsis": "…", "ldots": "…", "dots": "…",
    "euro": "€", "texteuro": "€", "pounds": "£", "textsterling": "£", "textcent": "¢",
    "textyen": "¥", "textdollar": "$", "textdegree": "°", "textmu": "µ", "textperthousand": "‰",
    "textasciitilde": "~", "textbackslash": "\\", "textasciicircum": "^",
    "textunderscore": "_", "textbar": "|", "textless": "<", "textgreater": ">",
    "textbullet": "•", "textperiodcentered": "·", "textexclamdown": "¡",
    "textquestiondown": "¿", "texttimes": "×", "textdiv": "÷", "textpm": "±",
    "textminus": "−", "textonehalf": "½", "textonequarter": "¼", "textthreequarters": "¾",
    "textordfeminine": "ª", "textordmasculine": "º", "textnumero": "№", "checkmark": "✓",
    "slash": "/", "hyphen": "-", "nobreakdash": "", "textvisiblespace": "␣",
    "TeX": "TeX", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2e", "BibTeX": "BibTeX",
    "newline": " ", "linebreak": " ", "par": " ", "quad": " ", "qquad": " ",
    "enspace": " ", "thinspace": "\u202f", "nobreakspace": "\u00a0",
}

# Math symbols, also accepted in text mode (bib files often forget the $). Source spacing
# around them is kept, so ``$2 \times 2$`` reads "2 × 2".
_MATH_SYMBOLS: dict[str, str] = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε",
    "varepsilon": "ε", "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι",
    "kappa": "κ", "varkappa": "ϰ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ",
    "omicron": "ο", "pi": "π", "varpi": "ϖ", "rho": "ρ", "varrho": "ϱ", "sigma": "σ",
    "varsigma": "ς", "tau": "τ", "upsilon": "υ", "phi": "φ", "varphi": "φ", "chi": "χ",
    "psi": "ψ", "omega": "ω",
    "Alpha": "Α", "Beta": "Β", "Gamma": "Γ", "Delta": "Δ", "Epsilon": "Ε", "Zeta": "Ζ",
    "Eta": "Η", "Theta": "Θ", "Iota": "Ι", "Kappa": "Κ", "Lambda": "Λ", "Mu": "Μ", "Nu": "Ν",
    "Xi": "Ξ", "Omicron": "Ο", "Pi": "Π", "Rho": "Ρ", "Sigma": "Σ", "Tau": "Τ",
    "Upsilon": "Υ", "Phi": "Φ", "Chi": "Χ", "Psi": "Ψ", "Omega": "Ω",
    "times": "×", "pm": "±", "mp": "∓", "div": "÷", "cdot": "·", "ast": "∗", "star": "⋆",
    "circ": "∘", "bullet": "•", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠",
    "ne": "≠", "approx": "≈", "sim": "∼", "simeq": "≃", "cong": "≅", "equiv": "≡",
    "propto": "∝", "ll": "≪", "gg": "≫", "lesssim": "≲", "gtrsim": "≳", "infty": "∞",
    "rightarrow": "→", "to": "→", "leftarrow": "←", "gets": "←", "leftrightarrow": "↔",
    "Rightarrow": "⇒", "Leftarrow": "⇐", "Leftrightarrow": "⇔", "uparrow": "↑",
    "downarrow": "↓", "longrightarrow": "⟶", "mapsto": "↦", "implies": "⟹", "iff": "⟺",
    "partial": "∂", "nabla": "∇", "sum": "∑", "prod": "∏", "int": "∫", "oint": "∮",
    "in": "∈", "notin": "∉", "ni": "∋", "subset": "⊂", "subseteq": "⊆", "supset": "⊃",
    "supseteq": "⊇", "cup": "∪", "cap": "∩", "setminus": "∖", "emptyset": "∅",
    "varnothing": "∅", "forall": "∀", "exists": "∃", "neg": "¬", "lnot": "¬", "wedge": "∧",
    "land": "∧", "vee": "∨", "lor": "∨", "oplus": "⊕", "otimes": "⊗", "perp": "⊥",
    "parallel": "∥", "mid": "∣", "angle": "∠", "triangle": "△", "square": "□",
    "prime": "′", "degree": "°", "langle": "⟨", "rangle": "⟩", "lbrace": "{", "rbrace": "}",
    "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉", "vert": "|", "lvert": "|",
    "rvert": "|", "Vert": "‖", "backslash": "\\", "colon": ":", "cdots": "⋯", "vdots": "⋮",
    "ddots": "⋱", "hbar": "ℏ", "ell": "ℓ", "Re": "ℜ", "Im": "ℑ", "aleph": "ℵ",
    "dagger": "†", "ddagger": "‡", "surd": "√", "therefore": "∴", "because": "∵",
    "micro": "µ", "ohm": "Ω", "celsius": "°C",
}

# Commands that print nothing themselves: font switches ({\em x}), argument-keeping wrappers
# (\emph{x}: the braces that follow are dropped like any other), and spacing/no-op commands.
_TRANSPARENT = frozenset("""
    em it bf sc rm sf tt sl up md bfseries itshape scshape slshape upshape mdseries rmfamily
    sffamily ttfamily normalfont emph textit textbf textsc textrm texttt textsf textsl
    textup textmd textnormal textsuperscript textsubscript mkbibquote enquote mkbibemph
    mkbibitalic mkbibbold mkbibsuperscript mkbibsubscript mkbibparens mkbibbrackets
    textenglish textdutch foreignquote bibstring autocap mbox hbox makebox fbox text
    mathrm mathbf mathit mathsf mathtt mathcal mathbb mathfrak mathscr mathnormal
    boldsymbol bm operatorname relax protect nobreak break allowbreak unskip
    small large Large LARGE huge Huge tiny scriptsize footnotesize normalsize
    left right middle big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr
    displaystyle textstyle scriptstyle scriptscriptstyle limits nolimits
    noindent leavevmode ignorespaces xspace
""".split())

# Commands whose first argument is not text: dropped (``{\noopsort{1973c}}1981`` is "1981";
# ``\href{url}{text}`` keeps the text, which follows as an ordinary braced group).
_DROP_ARG = frozenset("""
    noopsort SortNoop sortnoop NOOPSORT href foreignlanguage selectlanguage hyphenation
    label index hspace vspace phantom hphantom vphantom kern hskip vskip color
""".split())
# Verbatim arguments: no ligatures, ``~`` stays a tilde, only \% \# \_ & co. unescaped.
_URL_LIKE = frozenset({"url", "path", "nolinkurl", "doi"})

_SUP = dict(zip("0123456789+-−=()ni∘′*", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱ°′*"))
_SUB = dict(zip("0123456789+-−=()aeoxhklmnpstijruv",
                "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼᵣᵤᵥ"))

_CONTROL_SYMBOLS = {
    "&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}",
    " ": " ", "\n": " ", "\t": " ", "\r": " ", "\\": " ",
    ",": "\u202f", ";": " ", ":": " ", ">": " ", "!": "", "/": "", "@": "", "-": "",
    ")": "", "]": "", "|": "‖",
}

# --- regexes --------------------------------------------------------------------------------

_NEEDS_WORK = re.compile(r"[\\{}$~]|--|``|''")
# One token: a run of plain text, a control word, a control symbol (or trailing \), one char.
_TEXT_TOKEN = re.compile(r"[^\\{}$~]+|\\(?:[A-Za-z]+|.?)|.", re.S)
_MATH_TOKEN = re.compile(r"[^\\{}$~^_']+|\\(?:[A-Za-z]+|.?)|.", re.S)
_WS = re.compile(r"\s*")
_BRACE = re.compile(r"\\.|[{}]", re.S)
_DOLLAR = re.compile(r"\\.|\$", re.S)
_URL_ESCAPE = re.compile(r"\\([%#_&$~{}])")
_CRUDE = re.compile(r"\\([A-Za-z]+|.?)|[{}$]", re.S)
# Some converters write \:{o} for ö; \: followed by one braced letter is read that way.
_COLON_UMLAUT = re.compile(r"\{([A-Za-z])\}")
_MAX_DEPTH = 100


def latex_to_unicode(text: str) -> str:
    """Decode LaTeX in a BibTeX field value to plain Unicode text. Never raises."""
    if not _NEEDS_WORK.search(text):
        return text
    return _decode(text, False, 0)


# --- the scanner ----------------------------------------------------------------------------

def _ligatures(text: str) -> str:
    if "--" in text:
        text = text.replace("---", "—").replace("--", "–")
    if "``" in text:
        text = text.replace("``", "“")
    if "''" in text:
        text = text.replace("''", "”")
    return text


def _match_brace(s: str, pos: int) -> int:
    """Index of the ``}`` closing the ``{`` at ``pos``; ``len(s)`` when it is never closed."""
    depth = 0
    for m in _BRACE.finditer(s, pos):
        c = m.group()
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return m.start()
    return len(s)


def _read_arg(s: str, pos: int) -> tuple[str, int]:
    """A macro argument at ``pos`` (spaces skipped): a braced group's inside, a command, or
    one character. Returns the raw argument and the position after it."""
    pos = _WS.match(s, pos).end()
    if pos >= len(s):
        return "", pos
    c = s[pos]
    if c == "{":
        end = _match_brace(s, pos)
        return s[pos + 1:end], end + 1
    if c == "}":  # no argument: leave the brace for the caller
        return "", pos
    if c == "\\":
        m = _TEXT_TOKEN.match(s, pos)
        return m.group(), m.end()
    return c, pos + 1


@lru_cache(maxsize=4096)
def _accent(mark: str, base: str) -> str:
    base = base.lstrip()
    if not base:
        return _SPACING.get(mark, mark)
    first = base[0]
    if mark in _ABOVE:
        first = _DOTLESS.get(first, first)
    if mark == "\u0361" and len(base) > 1:  # tie accent spans the first two letters
        return unicodedata.normalize("NFC", first + mark + base[1]) + base[2:]
    return unicodedata.normalize("NFC", first + mark) + base[1:]


def _script(arg: str, table: dict[str, str], sign: str) -> str:
    arg = arg.strip()
    if arg and all(ch in table for ch in arg):
        return "".join(table[ch] for ch in arg)
    if len(arg) <= 1:
        return sign + arg
    return f"{sign}({arg})"


def _decode(s: str, math: bool, depth: int) -> str:
    if depth > _MAX_DEPTH:  # pathological nesting: keep the words, drop the markup
        return _CRUDE.sub(r"\1", s)
    token = _MATH_TOKEN if math else _TEXT_TOKEN
    out: list[str] = []
    # Text waiting for the dash/quote ligatures. A brace ends it, as in TeX: -{}- is two
    # hyphens. Math output joins it, so the result holds no "--" that a second pass would see.
    run: list[str] = []
    pos, n = 0, len(s)
    while pos < n:
        m = token.match(s, pos)
        tok = m.group()
        pos = m.end()
        c = tok[0]
        if c == "\\":
            name = tok[1:]
            if name[:1].isalpha():
                pos = _command(s, pos, name, math, depth, run, out)
            else:
                pos = _control_symbol(s, pos, name, math, depth, run)
        elif c == "{" or c == "}":
            if run:
                out.append(_ligatures("".join(run)))
                run.clear()
        elif c == "~":
            run.append("\u00a0")
        elif c == "$":
            if math:
                continue
            end = -1
            for d in _DOLLAR.finditer(s, pos):
                if d.group() == "$":
                    end = d.start()
                    break
            if end < 0:  # unmatched: a literal dollar
                run.append("$")
            else:
                run.append(_decode(s[pos:end], True, depth + 1))
                pos = end + 1
        elif math and c == "^":
            arg, pos = _read_arg(s, pos)
            run.append(_script(_decode(arg, True, depth + 1), _SUP, "^"))
        elif math and c == "_":
            arg, pos = _read_arg(s, pos)
            run.append(_script(_decode(arg, True, depth + 1), _SUB, "_"))
        elif math and c == "'":
            run.append("′")
        else:
            run.append(tok)
    if run:
        out.append(_ligatures("".join(run)))
    return "".join(out)


def _control_symbol(s: str, pos: int, sym: str, math: bool, depth: int,
                    run: list[str]) -> int:
    if sym in _ACCENTS:
        arg, pos = _read_arg(s, pos)
        run.append(_accent(_ACCENTS[sym], _decode(arg, math, depth + 1)))
    elif sym == ":" and (m := _COLON_UMLAUT.match(s, pos)):
        run.append(_accent("\u0308", m.group(1)))
        pos = m.end()
    elif sym in ("(", "["):
        close = "\\)" if sym == "(" else "\\]"
        end = s.find(close, pos)
        end = len(s) if end < 0 else end
        run.append(_decode(s[pos:end], True, depth + 1))
        pos = min(end + 2, len(s))
    else:
        run.append(_CONTROL_SYMBOLS.get(sym, sym))
    return pos


def _command(s: str, pos: int, name: str, math: bool, depth: int,
             run: list[str], out: list[str]) -> int:
    if name in _ACCENTS:
        arg, pos = _read_arg(s, pos)
        run.append(_accent(_ACCENTS[name], _decode(arg, math, depth + 1)))
    elif name in _TEXT_SYMBOLS:
        run.append(_TEXT_SYMBOLS[name])
        if not math:
            pos = _WS.match(s, pos).end()
    elif name in _MATH_SYMBOLS:
        run.append(_MATH_SYMBOLS[name])
    elif name in _TRANSPARENT:
        pos = _WS.match(s, pos).end()
    elif name in _DROP_ARG:
        _, pos = _read_arg(s, pos)
    elif name in _URL_LIKE:
        arg, pos = _read_arg(s, pos)
        if run:
            out.append(_ligatures("".join(run)))
            run.clear()
        out.append(_URL_ESCAPE.sub(r"\1", arg))
    elif name == "ensuremath":
        arg, pos = _read_arg(s, pos)
        run.append(_decode(arg, True, depth + 1))
    elif name in ("uppercase", "MakeUppercase", "lowercase", "MakeLowercase"):
        arg, pos = _read_arg(s, pos)
        text = _decode(arg, math, depth + 1)
        run.append(text.upper() if "pper" in name else text.lower())
    elif name in ("frac", "dfrac", "tfrac"):
        num, pos = _read_arg(s, pos)
        den, pos = _read_arg(s, pos)
        a, b = _decode(num, math, depth + 1), _decode(den, math, depth + 1)
        run.append(f"{_group(a)}/{_group(b)}")
    elif name == "sqrt":
        at = _WS.match(s, pos).end()
        if s.startswith("[", at):  # \sqrt[n]{x}: the index is dropped
            close = s.find("]", at)
            pos = len(s) if close < 0 else close + 1
        arg, pos = _read_arg(s, pos)
        run.append("√" + _group(_decode(arg, math, depth + 1)))
    else:
        # Unknown: \foo{bar} keeps bar (the braces are dropped later), bare \foo keeps "foo".
        after = _WS.match(s, pos).end()
        if after < len(s) and s[after] == "{":
            pos = after
        else:
            run.append(name)
    return pos


def _group(text: str) -> str:
    return text if len(text) <= 1 or text.isalnum() else f"({text})"


# --- names ----------------------------------------------------------------------------------

# "and" between names: whole word, surrounded by white space, any case (BibTeX accepts AND).
_AND = re.compile(r"\s+and\s+", re.I)
_AND_OR_BRACE = re.compile(r"\\[{}]|[{}]|(?<=\s)and(?=\s)", re.I)
# Inside one name: escaped symbols (\~ is an accent, not a tie) are skipped; braces nest;
# commas separate parts; white space and ~ separate words.
_NAME_TOKEN = re.compile(r"\\[^\sA-Za-z]|[{}]|,|[\s~]+")
_FIRST_LETTER = re.compile(r"[^\W\d_]")


def split_names(value: str) -> list[dict[str, str]]:
    """CSL-JSON names from a BibTeX name list (raw, LaTeX not yet decoded).

    Each person is ``{"family", "given"}`` (``given`` may be ``""``) plus, when present,
    ``"non-dropping-particle"`` (the lowercase von part) and ``"suffix"`` (the Jr part). A name
    that is one braced group is a corporate author, ``{"literal": ...}``, never split. BibTeX's
    ``and others`` becomes ``{"literal": "others"}``, so nothing is dropped; callers that
    render names can turn it into "et al.".
    """
    value = value.strip()
    if not value:
        return []
    if "{" in value:
        names, start, depth = [], 0, 0
        for m in _AND_OR_BRACE.finditer(value):
            tok = m.group()
            if tok == "{":
                depth += 1
            elif tok == "}":
                depth = max(0, depth - 1)
            elif depth == 0 and tok[0] != "\\":
                names.append(value[start:m.start()])
                start = m.end()
        names.append(value[start:])
    else:
        names = _AND.split(value)
    result = []
    for name in names:
        name = name.strip()
        if name:
            result.append(_parse_name(name))
    return result


def _parse_name(name: str) -> dict[str, str]:
    if name.lower() == "others":
        return {"literal": "others"}
    if name[0] == "{" and _match_brace(name, 0) == len(name) - 1 and name[1:2] != "\\":
        return {"literal": latex_to_unicode(name[1:-1]).strip()}
    parts = _name_parts(name)
    if len(parts) == 1:
        words = parts[0]
        n = len(words)
        von_start = next((i for i in range(n - 1) if _is_lower(words[i])), None)
        if von_start is None:  # First Last
            given, von, last = words[:-1], [], words[-1:]
        else:  # First von Last: von runs to the last lowercase word before the final word
            von_end = max(i for i in range(von_start, n - 1) if _is_lower(words[i])) + 1
            given, von, last = words[:von_start], words[von_start:von_end], words[von_end:]
        suffix: list[str] = []
    else:
        von, last = _von_last(parts[0])
        if len(parts) == 2:
            suffix, given = [], parts[1]
        else:  # von Last, Jr, First (more commas are an error in BibTeX: keep them in First)
            suffix = parts[1]
            given = [w for p in parts[2:] for w in p]
    result = {"family": _words(last), "given": _words(given)}
    if von:
        result["non-dropping-particle"] = _words(von)
    if suffix:
        result["suffix"] = _words(suffix)
    return result


def _von_last(words: list[str]) -> tuple[list[str], list[str]]:
    """Split ``von Last`` words: von ends at the last lowercase word before the final one."""
    for i in range(len(words) - 2, -1, -1):
        if _is_lower(words[i]):
            return words[:i + 1], words[i + 1:]
    return [], words


def _name_parts(name: str) -> list[list[str]]:
    """Words of each comma-separated part, split at brace depth 0."""
    if "{" not in name and "\\" not in name and "~" not in name:
        return [part.split() for part in name.split(",")]
    parts: list[list[str]] = [[]]
    depth, start = 0, 0
    for m in _NAME_TOKEN.finditer(name):
        tok = m.group()
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth = max(0, depth - 1)
        elif depth == 0 and (tok == "," or not tok.startswith("\\")):
            if m.start() > start:
                parts[-1].append(name[start:m.start()])
            if tok == ",":
                parts.append([])
            start = m.end()
    if start < len(name):
        parts[-1].append(name[start:])
    return parts


def _is_lower(word: str) -> bool:
    """BibTeX's von test: the first letter outside braces is lowercase. A braced group that
    starts with a command ({\\"o}, {\\o}) counts by the letter it stands for; other braced
    groups are skipped, so ``{La Joie}`` is not a von word."""
    if "{" in word:
        kept, start = [], 0
        i, n = 0, len(word)
        while i < n:
            if word[i] == "{" and (i == 0 or word[i - 1] != "\\"):
                end = _match_brace(word, i)
                if word.startswith("{\\", i):
                    kept.append(word[start:end + 1])
                else:
                    kept.append(word[start:i])
                start = i = end + 1
                continue
            i += 1
        kept.append(word[start:])
        word = "".join(kept)
    if "\\" in word:
        word = latex_to_unicode(word)
    m = _FIRST_LETTER.search(word)
    return bool(m) and m.group().islower()


def _words(words: list[str]) -> str:
    return latex_to_unicode(" ".join(words)).strip()
