"""LaTeX decoding of BibTeX field values and BibTeX name splitting (services/latex.py)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from desktop.services.latex import latex_to_unicode, split_names

TESTDATA = Path(__file__).resolve().parents[2] / "shared" / "testdata"
NBSP, THIN = "\u00a0", "\u202f"


# --- accents --------------------------------------------------------------------------------

@pytest.mark.parametrize("source", [r"\'e", r"\'{e}", r"{\'e}", r"{\' e}", r"\' e", r"{\'{e}}"])
def test_acute_in_every_common_form(source: str) -> None:
    assert latex_to_unicode(source) == "é"


@pytest.mark.parametrize("source, expected", [
    (r"\"o", "ö"), (r"\"{o}", "ö"), (r"\^a", "â"), (r"\^{o}", "ô"), (r"\`a", "à"),
    (r"\`{e}", "è"), (r"\~n", "ñ"), (r"\~{a}", "ã"), (r"\=a", "ā"), (r"\={o}", "ō"),
    (r"\.z", "ż"), (r"\.{I}", "İ"), (r"\u{g}", "ğ"), (r"\u a", "ă"), (r"\v{s}", "š"),
    (r"\v c", "č"), (r"\H{o}", "ő"), (r"\H{u}", "ű"), (r"\c{c}", "ç"), (r"\c c", "ç"),
    (r"\c{S}", "Ş"), (r"\k{a}", "ą"), (r"\k{e}", "ę"), (r"\r{a}", "å"), (r"\r{u}", "ů"),
    (r"\d{a}", "ạ"), (r"\d s", "ṣ"), (r"\b{a}", "a\u0331"), (r"\t{oo}", "o\u0361o"),
    (r"\'{\"u}", "ǘ"),
])
def test_accents(source: str, expected: str) -> None:
    assert latex_to_unicode(source) == expected


@pytest.mark.parametrize("source, expected", [
    (r"\'\i", "í"), (r"\'{\i}", "í"), (r"{\'\i}", "í"), (r"\"\i", "ï"), (r"\^\j", "ĵ"),
    (r"\^{\j}", "ĵ"), (r"Mar{\'\i}a", "María"),
])
def test_dotless_i_and_j_take_accents(source: str, expected: str) -> None:
    assert latex_to_unicode(source) == expected


def test_accent_over_nothing_prints_the_accent() -> None:
    assert latex_to_unicode(r"\'{}") == "´"
    assert latex_to_unicode(r"\~{}") == "~"


def test_colon_umlaut_written_by_some_converters() -> None:
    assert latex_to_unicode(r"T Str\:{o}sslin") == "T Strösslin"
    assert latex_to_unicode(r"a\:b") == "a b"  # otherwise \: is a medium space


@pytest.mark.parametrize("source, expected", [
    (r"{\'E}cole", "École"), (r"Universit{\"a}t", "Universität"),
    (r"Jos{\'e} Mar{\'\i}a", "José María"), (r"\v{S}koda", "Škoda"),
    (r"Ma{\l}gorzata", "Małgorzata"), (r"{\O}stergaard", "Østergaard"),
    (r"Gro{\ss}berger", "Großberger"), (r"Schr\"{o}dinger", "Schrödinger"),
    (r"G\"{u}ro\v{g}lu", "Güroǧlu"), (r"Go{\~n}i", "Goñi"), (r"{\L}ukasz", "Łukasz"),
    (r"P D\l{}otko", "P Dłotko"), (r"{\v C}adik", "Čadik"),
])
def test_real_names(source: str, expected: str) -> None:
    assert latex_to_unicode(source) == expected


# --- special letters and symbols ------------------------------------------------------------

@pytest.mark.parametrize("command, expected", [
    ("ss", "ß"), ("o", "ø"), ("O", "Ø"), ("ae", "æ"), ("AE", "Æ"), ("oe", "œ"), ("OE", "Œ"),
    ("aa", "å"), ("AA", "Å"), ("l", "ł"), ("L", "Ł"), ("i", "ı"), ("j", "ȷ"), ("dh", "ð"),
    ("DH", "Ð"), ("th", "þ"), ("TH", "Þ"), ("ng", "ŋ"), ("NG", "Ŋ"),
    ("textendash", "–"), ("textemdash", "—"), ("textquoteright", "’"),
    ("textquoteleft", "‘"), ("textquotedblleft", "“"), ("textquotedblright", "”"),
    ("textregistered", "®"), ("texttrademark", "™"), ("copyright", "©"), ("S", "§"),
    ("P", "¶"), ("dag", "†"), ("ddag", "‡"), ("textellipsis", "…"), ("ldots", "…"),
    ("dots", "…"), ("euro", "€"), ("pounds", "£"), ("textdegree", "°"),
    ("textasciitilde", "~"), ("textbackslash", "\\"),
])
def test_symbol_commands(command: str, expected: str) -> None:
    assert latex_to_unicode("{\\" + command + "}") == expected
    assert latex_to_unicode("\\" + command + "{}") == expected


def test_symbol_command_swallows_following_spaces_like_tex() -> None:
    assert latex_to_unicode(r"Stra\ss e") == "Straße"
    assert latex_to_unicode(r"1990\textendash 2000") == "1990–2000"


@pytest.mark.parametrize("source, expected", [
    (r"\&", "&"), (r"\%", "%"), (r"\$", "$"), (r"\#", "#"), (r"\_", "_"), (r"\{", "{"),
    (r"\}", "}"), (r"Biomedical \& Health", "Biomedical & Health"),
    (r"netn\_a\_00107", "netn_a_00107"),
])
def test_escaped_characters(source: str, expected: str) -> None:
    assert latex_to_unicode(source) == expected


def test_spaces_ties_and_hyphenation_hints() -> None:
    assert latex_to_unicode("11.~Jahrhunderts") == f"11.{NBSP}Jahrhunderts"
    assert latex_to_unicode(r"10\,mg") == f"10{THIN}mg"
    assert latex_to_unicode(r"Mr.\ Smith") == "Mr. Smith"
    assert latex_to_unicode(r"hy\-phen\-ation") == "hyphenation"


def test_textsuperscript_keeps_content() -> None:
    assert latex_to_unicode(r"19\textsuperscript{th} century") == "19th century"


# --- dashes and quotes ----------------------------------------------------------------------

def test_dashes() -> None:
    assert latex_to_unicode("244--256") == "244–256"
    assert latex_to_unicode("yes---no") == "yes—no"
    assert latex_to_unicode("well-known") == "well-known"  # nothing to do: unchanged


def test_quotes() -> None:
    assert latex_to_unicode("a ``smuggler'' package") == "a “smuggler” package"
    assert latex_to_unicode("it's `quoted' ``x''") == "it's `quoted' “x”"


def test_braces_break_ligatures_as_in_tex() -> None:
    assert latex_to_unicode("-{}-") == "--"


# --- formatting commands --------------------------------------------------------------------

@pytest.mark.parametrize("command", [
    "emph", "textit", "textbf", "textsc", "textrm", "texttt", "textsf", "mkbibquote",
])
def test_formatting_commands_keep_their_argument(command: str) -> None:
    assert latex_to_unicode(f"Le \\{command}{{De Anima}} dans") == "Le De Anima dans"


@pytest.mark.parametrize("switch", ["em", "it", "bf", "sc"])
def test_old_style_font_switches(switch: str) -> None:
    assert latex_to_unicode(f"a {{\\{switch} x}} b") == "a x b"


def test_url_keeps_content_verbatim() -> None:
    assert latex_to_unicode(r"\url{https://github.com/joblib/joblib}") == \
        "https://github.com/joblib/joblib"
    assert latex_to_unicode(r"see \url{http://a.org/~me/x--y\_z}") == "see http://a.org/~me/x--y_z"


def test_href_keeps_the_text_and_noopsort_drops_its_key() -> None:
    assert latex_to_unicode(r"\href{http://a.org}{the site}") == "the site"
    assert latex_to_unicode(r"{\noopsort{1973c}}1981") == "1981"


def test_case_commands() -> None:
    assert latex_to_unicode(r"\MakeUppercase{abc} \lowercase{DEF}") == "ABC def"


# --- math -----------------------------------------------------------------------------------

@pytest.mark.parametrize("source, expected", [
    (r"$\alpha$-helix", "α-helix"), (r"$\beta$", "β"), (r"$\Gamma$", "Γ"), (r"$\Omega$", "Ω"),
    (r"$\mu$m", "μm"), (r"$\times$", "×"), (r"$7\pm2$", "7±2"), (r"$\leq$", "≤"),
    (r"$\geq$", "≥"), (r"$\neq$", "≠"), (r"$\approx$", "≈"), (r"$\infty$", "∞"),
    (r"$\cdot$", "·"), (r"$\rightarrow$", "→"), (r"$\to$", "→"), (r"$\sim$", "∼"),
    (r"$2 \times 2$ table", "2 × 2 table"), (r"{$<$}1 Hz", "<1 Hz"),
])
def test_math_symbols(source: str, expected: str) -> None:
    assert latex_to_unicode(source) == expected


@pytest.mark.parametrize("source, expected", [
    (r"$10^{-3}$", "10⁻³"), (r"$x^2$", "x²"), (r"$x^{2}$", "x²"), (r"$^{13}$C", "¹³C"),
    (r"H$_2$O", "H₂O"), (r"$x_{12}$", "x₁₂"), (r"$90^\circ$", "90°"),
    (r"GABA$_B$", "GABA_B"), (r"$x^{ab}$", "x^(ab)"),
])
def test_superscripts_and_subscripts(source: str, expected: str) -> None:
    assert latex_to_unicode(source) == expected


@pytest.mark.parametrize("source, expected", [
    ("$x+y$", "x+y"), ("Class-based $n$-gram models", "Class-based n-gram models"),
    (r"$\foo$", "foo"), (r"$\log x$", "log x"), (r"$\frac{1}{2}$", "1/2"),
    (r"$\sqrt{x+1}$", "√(x+1)"), (r"$\mathrm{d}x$", "dx"), (r"$\{$beta$\}$", "{beta}"),
    (r"\(a \leq b\)", "a ≤ b"), (r"\ensuremath{\alpha}", "α"),
])
def test_math_stays_readable(source: str, expected: str) -> None:
    assert latex_to_unicode(source) == expected


def test_unmatched_dollar_is_kept() -> None:
    assert latex_to_unicode("costs $5") == "costs $5"


# --- braces, unknown commands, robustness ---------------------------------------------------

@pytest.mark.parametrize("source, expected", [
    ("{DNA}", "DNA"), ("{{Nested}}", "Nested"), ("The {RNA} {W}orld", "The RNA World"),
    (r"\foo{bar}", "bar"), (r"\foo {bar}", "bar"), (r"\foo", "foo"), (r"a \foo b", "a foo b"),
    (r"genus \texit{Cataglyphis}", "genus Cataglyphis"),
])
def test_braces_and_unknown_commands(source: str, expected: str) -> None:
    assert latex_to_unicode(source) == expected


def test_today_is_not_todays_date() -> None:
    assert latex_to_unicode(r"{\today}") == "today"
    assert latex_to_unicode(r"{\today}") == latex_to_unicode(r"{\today}")


@pytest.mark.parametrize("source", [
    "{unbalanced", "unbalanced}", "}{", r"\'{e", "trailing\\", "\\", r"\'", "$", "$x",
    r"\url{open", r"\frac{1}", r"\sqrt[3", "$x^$", "{" * 5000, "\\'{" * 3000, "\\(" * 500,
])
def test_malformed_input_does_not_raise(source: str) -> None:
    assert isinstance(latex_to_unicode(source), str)


def test_malformed_input_is_best_effort() -> None:
    assert latex_to_unicode(r"{unbalanced \'{e") == "unbalanced é"
    assert latex_to_unicode("a}b{c") == "abc"
    assert latex_to_unicode("trailing\\") == "trailing"


def test_fast_path_returns_the_same_object() -> None:
    text = "Plain title: with-hyphen, it's fine (1999)"
    assert latex_to_unicode(text) is text


@given(st.text())
def test_never_raises_on_any_text(text: str) -> None:
    assert isinstance(latex_to_unicode(text), str)


_LATEXY = st.lists(st.sampled_from([
    "\\", "{", "}", "$", "~", "-", "`", "'", "^", "_", " ", "a", "Z", "1", r"\'", r"\"",
    r"\v", r"\i", r"\frac", r"\url", r"\(", r"\)", r"\emph", r"\foo", r"\:", " and ", ",",
]), max_size=30).map("".join)


@given(_LATEXY)
def test_never_raises_on_latex_fragments(text: str) -> None:
    assert isinstance(latex_to_unicode(text), str)
    assert isinstance(split_names(text), list)


_PLAIN = st.one_of(
    st.text().filter(lambda s: not set(s) & set("\\{}")),
    st.lists(st.sampled_from(["$", "~", "-", "`", "'", "^", "_", " ", "a", "1", "\u00a0"]),
             max_size=30).map("".join),
)


@settings(max_examples=300)
@given(_PLAIN)
def test_idempotent_without_backslashes_or_braces(text: str) -> None:
    once = latex_to_unicode(text)
    assert latex_to_unicode(once) == once


# --- the biblatex example file --------------------------------------------------------------

# An accent command still present: \' \" \^ \` \~ \= \. or \u \v \H \c \k \r \d \b \t as a
# whole control word.
_LEFTOVER_ACCENT = re.compile(r"""\\(?:['"^`~=.]|[uvHckrdbt](?![A-Za-z]))""")


def test_biblatex_examples_decode_completely() -> None:
    path = TESTDATA / "bib" / "biblatex" / "biblatex-examples.bib"
    if not path.exists():
        pytest.skip(f"test data not found: {path}")
    import bibtexparser

    library = bibtexparser.parse_string(path.read_text(encoding="utf-8"))
    assert library.entries
    decoded = 0
    for entry in library.entries:
        for field in entry.fields:
            if not isinstance(field.value, str):
                continue
            out = latex_to_unicode(field.value)
            decoded += out != field.value
            assert not _LEFTOVER_ACCENT.search(out), (entry.key, field.key, out)
            assert "\\" not in out, (entry.key, field.key, out)
    assert decoded > 100


# --- names ----------------------------------------------------------------------------------

def person(family: str, given: str, **extra: str) -> dict[str, str]:
    name = {"family": family, "given": given}
    name.update({key.replace("_", "-"): value for key, value in extra.items()})
    return name


@pytest.mark.parametrize("value", ["van den Berg, Jan", "Jan van den Berg"])
def test_dutch_particle(value: str) -> None:
    assert split_names(value) == [person("Berg", "Jan", non_dropping_particle="van den")]


@pytest.mark.parametrize("value, expected", [
    ("Ludwig von Beethoven", person("Beethoven", "Ludwig", non_dropping_particle="von")),
    ("von der Heide, Anna", person("Heide", "Anna", non_dropping_particle="von der")),
    ("Jean de La Fontaine", person("La Fontaine", "Jean", non_dropping_particle="de")),
    ("de la Cruz, Maria", person("Cruz", "Maria", non_dropping_particle="de la")),
    ("Van Gogh, Vincent", person("Van Gogh", "Vincent")),  # capitalised: part of the family
    ("Donald E. Knuth", person("Knuth", "Donald E.")),
    ("Knuth, Donald E.", person("Knuth", "Donald E.")),
    ("Aristotle", person("Aristotle", "")),
    ("King, Jr, Martin Luther", person("King", "Martin Luther", suffix="Jr")),
    ("van der Berg, Jr., Jan", person("Berg", "Jan", non_dropping_particle="van der",
                                     suffix="Jr.")),
    ("Gates, III, William", person("Gates", "William", suffix="III")),
    ("J.-P. Sartre", person("Sartre", "J.-P.")),
    ("Sartre, J.-P.", person("Sartre", "J.-P.")),
    ("A. B. Smith", person("Smith", "A. B.")),
    ("Smith, A. B.", person("Smith", "A. B.")),
    ("Jean-Pierre Dupont", person("Dupont", "Jean-Pierre")),
    ("J.~R.~R. Tolkien", person("Tolkien", "J. R. R.")),
    (r"R {La Joie}", person("La Joie", "R")),
    (r"St{\'e}fan J {van der Walt}", person("van der Walt", "Stéfan J")),
    (r"H {Daum\'{e} III}", person("Daumé III", "H")),
])
def test_name_forms(value: str, expected: dict[str, str]) -> None:
    assert split_names(value) == [expected]


@pytest.mark.parametrize("value, expected", [
    (r"{\"O}zt{\"u}rk, Ahmet", person("Öztürk", "Ahmet")),
    (r"Ahmet {\"O}zt{\"u}rk", person("Öztürk", "Ahmet")),
    (r"M{\"u}ller, J{\"o}rg", person("Müller", "Jörg")),
    (r"Jos{\'e} Mar{\'\i}a Garc{\'\i}a", person("García", "José María")),
    (r"\v{S}koda, Jan", person("Škoda", "Jan")),
    (r"Ma{\l}gorzata Kowalska", person("Kowalska", "Małgorzata")),
    (r"{\O}stergaard, Lars", person("Østergaard", "Lars")),
    (r"{\L}ukasz Langa", person("Langa", "Łukasz")),
    (r"Mu\~noz, Juan", person("Muñoz", "Juan")),
    (r"{\'E}mile Zola", person("Zola", "Émile")),
])
def test_latex_in_names_is_decoded_after_splitting(value: str, expected: dict[str, str]) -> None:
    assert split_names(value) == [expected]


def test_lowercase_special_character_starts_a_von_part() -> None:
    assert split_names(r"Jean {\'e}t Fontaine") == [
        person("Fontaine", "Jean", non_dropping_particle="ét")]


@pytest.mark.parametrize("value, literal", [
    ("{World Health Organization}", "World Health Organization"),
    ("{Wetenschappelijke Raad voor het Regeringsbeleid}",
     "Wetenschappelijke Raad voor het Regeringsbeleid"),
    ("{Barnes and Noble}", "Barnes and Noble"),
    ("{Centraal Bureau voor de Statistiek, Den Haag}",
     "Centraal Bureau voor de Statistiek, Den Haag"),
    (r"{Universit{\"a}t Wien}", "Universität Wien"),
])
def test_corporate_authors_are_kept_whole(value: str, literal: str) -> None:
    assert split_names(value) == [{"literal": literal}]


def test_list_split_on_and_at_depth_zero_any_case() -> None:
    # tests/../shared/testdata/bib/bibtexparser/book_capital_AND.bib
    assert split_names("Bird, R.B. and Armstrong, R.C. AND Hassager, O.") == [
        person("Bird", "R.B."), person("Armstrong", "R.C."), person("Hassager", "O.")]
    assert split_names("{World Health Organization} and Smith, J. and {Barnes and Noble}") == [
        {"literal": "World Health Organization"}, person("Smith", "J."),
        {"literal": "Barnes and Noble"}]
    assert split_names("Alexander Anderson and Sandra Band") == [
        person("Anderson", "Alexander"), person("Band", "Sandra")]


def test_names_over_several_lines() -> None:
    value = ("Herrmann, Wolfgang A. and {\\\"O}fele, Karl and Schneider,\n"
             "    Sabine K.  and\n  Doe, J.")
    assert split_names(value) == [
        person("Herrmann", "Wolfgang A."), person("Öfele", "Karl"),
        person("Schneider", "Sabine K."), person("Doe", "J.")]


def test_others_is_kept_as_a_literal() -> None:
    assert split_names("Smith, J. and others") == [person("Smith", "J."), {"literal": "others"}]


@pytest.mark.parametrize("value", ["", "   ", "\n\t"])
def test_empty_name_list(value: str) -> None:
    assert split_names(value) == []


def test_malformed_name_lists_do_not_raise() -> None:
    for value in ["{unbalanced and Smith", "Smith, and Jones", ",,,", "and", "a, b, c, d",
                  "} and {", r"\'", "{\\\"O}"]:
        assert isinstance(split_names(value), list)
