"""RIS reader: JabRef's RIS test files against JabRef's expected BibTeX, broken input, and the
details of the dialect (line endings, continuation lines, repeated and unmapped tags)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.services.bibentry import ParseResult
from desktop.services.ris import EXTRA, parse_ris

DATA = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "ris" / "jabref"
MISSING = f"JabRef's RIS test files are not at {DATA}"

# JabRef's BibTeX entry type -> the CSL type the RIS reader should give the same record.
BIB_TO_CSL = {
    "article": "article-journal", "book": "book", "inproceedings": "paper-conference",
    "conference": "paper-conference", "incollection": "chapter", "inbook": "chapter",
    "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis",
    "techreport": "report", "report": "report", "misc": "document", "online": "webpage",
    "unpublished": "manuscript",
}

# Where JabRef's expectation is not what this reader should do, what it should do instead.
DISAGREE: dict[str, list[dict[str, Any]]] = {
    # JabRef reads the whole file as one @phdthesis: every TY overwrites the type, the five
    # T1/TI lines are glued into one title, A2 (Rives, Kasami) become authors. We read a TY inside
    # an open record as the start of the next record (an ER lost in a real export must not merge
    # two references), so the file is eight empty TYs (rejected), a CONF record with the title,
    # authors and date, an OTHER record and a THES record; the further titles are kept in _ris.
    # A2 of a conference paper is its proceedings' editor, not an author.
    "RisImporterTest1": [
        {"type": "paper-conference",
         "title": "Editorial: Open Source and Empirical Software Engineering:",
         "families": ["Cocke", "Harrison"], "year": 2001, "doi": None},
        {"type": "document", "title": None, "families": [], "year": None, "doi": None},
        {"type": "thesis", "title": None, "families": [], "year": None, "doi": None},
    ],
}


def _cases() -> list[Any]:
    if not DATA.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=MISSING), id="no-data")]
    return [pytest.param(p, id=p.stem) for p in sorted(DATA.glob("*.ris"))
            if _expected_bib(p).exists()]


def _expected_bib(ris: Path) -> Path:
    return ris.with_name(ris.stem + ".expected.bib")


def _data(name: str) -> Path:
    path = DATA / name
    if not path.exists():
        pytest.skip(MISSING)
    return path


def _read(path: Path) -> ParseResult:
    return parse_ris(path.read_text(encoding="utf-8"))


def _unbrace(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == "{" and value[-1] == "}" \
            or len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        value = value[1:-1]
    return " ".join(value.split())


def _bib_expectations(path: Path) -> list[dict[str, Any]]:
    library = bibtexparser.parse_string(path.read_text(encoding="utf-8"), parse_stack=[])
    assert not library.failed_blocks, path.name
    out = []
    for entry in library.entries:
        fields = {f.key.lower(): _unbrace(str(f.value)) for f in entry.fields}
        authors = [a.strip() for a in fields.get("author", "").split(" and ") if a.strip()]
        out.append({
            "type": BIB_TO_CSL[entry.entry_type.lower()],
            "title": fields.get("title"),
            "families": [a.split(",")[0].strip() for a in authors],
            "year": int(fields["year"]) if "year" in fields else None,
            "doi": fields.get("doi"),
        })
    return out


def _summary(csl: dict[str, Any]) -> dict[str, Any]:
    issued = csl.get("issued") or {}
    return {
        "type": csl["type"],
        "title": " ".join(csl["title"].split()) if "title" in csl else None,
        "families": [n.get("family") or n.get("literal") for n in csl.get("author", [])],
        "year": issued["date-parts"][0][0] if issued else None,
        "doi": csl.get("DOI"),
    }


@pytest.mark.parametrize("ris", _cases())
def test_jabref_files_read_as_jabref_expects(ris: Path) -> None:
    expected = DISAGREE.get(ris.stem) or _bib_expectations(_expected_bib(ris))
    result = _read(ris)
    got = [_summary(e.csl) for e in result.entries]
    assert len(got) == len(expected), [e.warnings for e in result.entries]
    for mine, theirs in zip(got, expected, strict=True):
        if mine["doi"] and theirs["doi"]:
            mine["doi"], theirs["doi"] = mine["doi"].lower(), theirs["doi"].lower()
        assert mine == theirs
    ty_lines = sum(1 for line in ris.read_text(encoding="utf-8").splitlines()
                   if re.match(r"\ufeff?TY +-", line))
    assert len(result.entries) + len(result.rejected) == ty_lines


def test_jabref_test1_loses_nothing() -> None:
    result = _read(_data("RisImporterTest1.ris"))
    assert [(r.line, r.reason) for r in result.rejected] == [
        (line, "empty record") for line in range(2, 10)]
    conf, other, thesis = result.entries
    assert [e.line for e in result.entries] == [10, 39, 43]
    assert conf.warnings[0].startswith("record not closed by ER")
    assert other.warnings[0].startswith("record not closed by ER")
    # the titles JabRef glued together are all still there
    assert conf.csl[EXTRA]["TI"] == ["Editorial."]
    assert conf.csl[EXTRA]["T1"] == ["Editorial?", "Editorial", "Editorials"]
    assert conf.csl["author"][1] == {"family": "Harrison", "given": "Warren Levenshtein Morris"}
    assert [n["literal"] for n in conf.csl["editor"]] == ["Rives", "Kasami"]
    assert conf.csl["issued"] == {"date-parts": [[2001, 9, 1]]}
    assert conf.csl["page"] == "193–194"
    assert conf.csl[EXTRA]["PY"] == ["99", "YEAR/MONTH/DAY/"]
    assert other.csl["type"] == "document"
    assert any("OTHER" in w for w in other.warnings)
    assert thesis.key == "123456 sxdbgsd"
    assert thesis.csl["abstract"] == "abstract0\nabstract1"
    assert thesis.csl["keyword"] == "keyword0, keyword1"
    assert thesis.csl["note"] == "comment2"
    assert thesis.csl["genre"] == "doi: whatever"
    assert thesis.csl[EXTRA]["U1"] == ["comment0"]
    assert thesis.raw.splitlines()[0] == "TY  - THES"
    assert thesis.raw.splitlines()[-1] == "ER  - kmpt"


def test_jabref_details_jabref_gets_differently() -> None:
    # JabRef's journal is the JO abbreviation ("J. Chem. Phys."); the full T2/JF name is the
    # container title, the abbreviation its short form.
    entry = _read(_data("RisImporterTest8_date.ris")).entries[0]
    assert entry.csl["container-title"] == "The Journal of Chemical Physics"
    assert entry.csl["container-title-short"] == "J. Chem. Phys."
    # JabRef keeps year and month; DA has the day too, and it agrees with Y1 and PY.
    assert entry.csl["issued"] == {"date-parts": [[2005, 7, 15]]}
    assert entry.csl[EXTRA]["Y2"] == ["2019/03/28"]
    assert "unmapped RIS tag Y2" in entry.warnings
    # Y1 (22 July) and DA (28 July) disagree: DA is the date, Y1 is kept aside with a warning.
    entry = _read(_data("RisImporterTestWithEmptyER.ris")).entries[0]
    assert entry.csl["issued"] == {"date-parts": [[2013, 7, 28]]}
    assert entry.csl[EXTRA]["Y1"] == ["2013/07/22"]
    # SciFinder's M1 is a copyright line, not an issue number as JabRef has it.
    entry = _read(_data("RisImporterTest5a.ris")).entries[0]
    assert "number" not in entry.csl and "issue" not in entry.csl
    assert entry.csl[EXTRA]["M1"][0].startswith("Copyright")
    assert entry.csl["container-title-short"] == "Powder Technol."
    # Scopus: JabRef keeps the last AD as the address; all three are affiliations, kept aside.
    entry = _read(_data("RisImporterTestScopus.ris")).entries[0]
    assert len(entry.csl[EXTRA]["AD"]) == 3
    assert entry.csl["note"] == "Cited By :44\nExport Date: 1 April 2016"
    assert entry.csl["source"] == "Scopus"
    assert entry.csl["page"] == "2309–2327"
    # The DOI came as a dx.doi.org address.
    entry = _read(_data("RisImporterTestScience.ris")).entries[0]
    assert entry.csl["DOI"] == "10.1016/j.actamat.2016.09.028"
    assert entry.csl["issued"] == {"date-parts": [[2016, 12]]}
    assert entry.warnings == []


def test_corrupted_file_is_rejected_with_its_lines() -> None:
    result = _read(_data("RisImporterCorrupted.ris"))
    assert result.entries == []
    assert len(result.rejected) == 1
    rejected = result.rejected[0]
    assert rejected.line == 2
    assert "TY" in rejected.reason and "2–11" in rejected.reason


def test_empty_er_file_accounts_for_every_record() -> None:
    path = _data("RisImporterTestWithEmptyER.ris")
    ty_lines = sum(1 for line in path.read_text(encoding="utf-8").splitlines()
                   if line.startswith("TY  -"))
    result = _read(path)
    assert len(result.entries) + len(result.rejected) == ty_lines == 1
    entry = result.entries[0]
    assert entry.line == 6
    assert not any("ER" in w for w in entry.warnings)
    assert entry.raw.splitlines()[-1] == "ER  - "


SAMPLE = (
    "\ufeffTY  - JOUR\r\n"
    "TI  - A title that is\r\n"
    "   wrapped over two lines\r\n"
    "AU  - van der Berg, Anna, Jr.\r\n"
    "AU  - World Health Organization; Doe, J.\r\n"
    "PY - 2010///Spring\r\n"          # one space before the hyphen: known tag, accepted
    "AB  - First paragraph.\r\n"
    "Second paragraph about US - based firms.\r\n"
    "KW  - alpha\r\n"
    "KW  - beta\r\n"
    "KW  - alpha\r\n"
    "SP  - 12-19\r\n"
    "EP  - 19\r\n"
    "DO  - https://doi.org/10.1000/XYZ\r\n"
    "M1  - e1002345\r\n"
    "L1  - internal-pdf://0123/paper.pdf\r\n"
    "SN  - 1234-5679\r\n"
    "Y2  - 2024/01/02\r\n"
    "U1  - first custom\r\n"
    "U1  - second custom\r\n"
    "ZZ  - made-up tag\r\n"
    "ID  - berg2010\r\n"
    "ER  -\r\n"
    "\r\n"
    "TY  - BOOK\r\n"
    "T1  - A Book\r\n"
    "T2  - A Series\r\n"
    "A2  - Editor, Ed\r\n"
    "SN  - 978-3-16-148410-0\r\n"
    "SP  - 320\r\n"
    "PY  - 2001/02/30/\r\n"
    "ER  - \r\n"
)


def test_hand_written_record_with_crlf_continuations_and_unmapped_tags() -> None:
    result = parse_ris(SAMPLE)
    assert result.rejected == []
    article, book = result.entries
    csl = article.csl
    assert (article.line, article.key) == (1, "berg2010")
    assert csl["type"] == "article-journal"
    assert csl["title"] == "A title that is wrapped over two lines"
    assert csl["author"] == [
        {"family": "van der Berg", "given": "Anna", "suffix": "Jr."},
        {"literal": "World Health Organization"},
        {"family": "Doe", "given": "J."},
    ]
    assert csl["issued"] == {"date-parts": [[2010]], "season": 1}
    # a continuation line of an abstract is a new paragraph, and "US - based" is no tag
    assert csl["abstract"] == "First paragraph.\nSecond paragraph about US - based firms."
    assert csl["keyword"] == "alpha, beta"
    assert csl["page"] == "12-19"
    assert csl["DOI"] == "10.1000/XYZ"
    assert csl["number"] == "e1002345"
    assert csl["ISSN"] == "1234-5679"
    assert "URL" not in csl  # a local attachment path is no URL
    assert csl[EXTRA] == {"L1": ["internal-pdf://0123/paper.pdf"], "Y2": ["2024/01/02"],
                          "U1": ["first custom", "second custom"], "ZZ": ["made-up tag"]}
    for tag in ("Y2", "U1", "ZZ"):
        assert f"unmapped RIS tag {tag}" in article.warnings
    assert any("L1" in w for w in article.warnings)
    assert "id" not in csl
    # raw is the record verbatim, without line endings, BOM or the blank line after it
    assert article.raw.splitlines()[1] == "TI  - A title that is"
    assert article.raw.endswith("ID  - berg2010\nER  -")
    assert "\r" not in article.raw

    assert book.line == 25
    assert book.csl["type"] == "book"
    assert book.csl["title"] == "A Book"
    assert book.csl["collection-title"] == "A Series"
    assert book.csl["editor"] == [{"family": "Editor", "given": "Ed"}]
    assert book.csl["ISBN"] == "978-3-16-148410-0"
    assert book.csl["number-of-pages"] == "320"
    # 30 February is no day: the year and month are read, the value kept aside with a warning
    assert book.csl["issued"] == {"date-parts": [[2001, 2]]}
    assert book.csl[EXTRA] == {"PY": ["2001/02/30/"]}
    assert any("PY" in w for w in book.warnings)


def test_old_mac_line_endings() -> None:
    result = parse_ris("TY  - JOUR\rTI  - Old Mac\rAU  - Jobs, S.\rER  - \r")
    assert [e.csl["title"] for e in result.entries] == ["Old Mac"]
    assert result.entries[0].raw == "TY  - JOUR\nTI  - Old Mac\nAU  - Jobs, S.\nER  - "


def test_journal_a2_is_no_editor() -> None:
    entry = parse_ris("TY  - JOUR\nTI  - T\nA2  - Second, Author\nER  -\n").entries[0]
    assert "editor" not in entry.csl
    assert entry.csl[EXTRA] == {"A2": ["Second, Author"]}
    assert "unmapped RIS tag A2" in entry.warnings


def test_broken_input_is_accounted_for_and_never_raises() -> None:
    text = "\n".join([
        "Provider: Some Publisher",       # 1: export header: text outside any record
        "AU  - Lost, Author",              # 2: tags before the first TY ...
        "ER  - ",                          # 3: ... closed by ER
        "TY  - JOUR",                      # 4: empty record
        "ER  - ",                          # 5
        "ER  - ",                          # 6: ER without a TY
        "TY  - JOUR",                      # 7: a good record
        "TI  - Good",                      # 8
        "ER  - ",                          # 9
        "stray words between records",     # 10: garbage
        "TY  - CHAP",                      # 11: not closed: the next TY starts a record
        "TI  - Unclosed one",              # 12
        "",                                # 13
        "TY  - RPRT",                      # 14: not closed by the end of the file
        "TI  - Unclosed two",              # 15
        "",
    ])
    result = parse_ris(text)
    assert [(e.line, e.csl["title"]) for e in result.entries] == [
        (7, "Good"), (11, "Unclosed one"), (14, "Unclosed two")]
    assert result.entries[0].warnings == []
    assert result.entries[1].warnings[0] == \
        "record not closed by ER (a new TY starts at line 14)"
    assert result.entries[2].warnings[0] == "record not closed by ER"
    assert result.entries[1].raw == "TY  - CHAP\nTI  - Unclosed one"
    reasons = {r.line: r.reason for r in result.rejected}
    assert sorted(reasons) == [1, 2, 4, 6, 10]
    assert "Provider: Some Publisher" in reasons[1]
    assert "TY" in reasons[2] and "lines 2–3" in reasons[2]
    assert reasons[4] == "empty record"
    assert "ER" in reasons[6] and "line 6" in reasons[6]
    assert "stray words" in reasons[10]


@pytest.mark.parametrize("text", ["", "\ufeff", "\n\n", "ER  -", "TY  -", "TY  - JOUR",
                                  "TY  - JOUR\nER  -\nER  -\n", "garbage", "AU  - x\n"])
def test_odd_inputs_do_not_raise(text: str) -> None:
    result = parse_ris(text)
    for rejected in result.rejected:
        assert rejected.line >= 1 and rejected.reason


_LINES = st.sampled_from([
    "TY  - JOUR", "TY  - BOOK", "TY  -", "ER  -", "ER  - x", "TI  - t", "AU  - A, B", "AU  - C",
    "PY  - 2001/13/40/x", "PY  - 99", "DA  - 2001/02/29", "SP  - 1", "EP  - 2", "KW  - k",
    "ZZ  - z", "AB - one space", "  continued", "", " ", "\ufeff", "garbage", "XX - no tag",
])


@given(st.lists(_LINES, max_size=40), st.sampled_from(["\n", "\r\n", "\r"]))
def test_every_ty_line_ends_up_somewhere(lines: list[str], newline: str) -> None:
    result = parse_ris(newline.join(lines))
    starts = sum(1 for line in lines if line.startswith("TY  -"))
    empty = [r for r in result.rejected if r.reason == "empty record"]
    assert len(result.entries) + len(empty) == starts
    assert all(r.line >= 1 for r in result.rejected)
    for entry in result.entries:
        assert entry.raw.startswith("TY  -")
        assert lines[entry.line - 1].startswith("TY  -")


def test_dates() -> None:
    def issued(*lines: str) -> Any:
        entry = parse_ris("\n".join(["TY  - JOUR", "TI  - x", *lines, "ER  -"])).entries[0]
        return entry.csl.get("issued"), entry.csl.get(EXTRA, {})

    assert issued("PY  - 2010/05/17/") == ({"date-parts": [[2010, 5, 17]]}, {})
    assert issued("PY  - 2010/05//") == ({"date-parts": [[2010, 5]]}, {})
    assert issued("PY  - 2010-05-17") == ({"date-parts": [[2010, 5, 17]]}, {})
    assert issued("PY  - 2001/00/00/") == ({"date-parts": [[2001]]}, {})
    assert issued("PY  - 2010", "DA  - 2010/05/17") == ({"date-parts": [[2010, 5, 17]]}, {})
    # an online-first DA from another year does not move the publication year
    assert issued("PY  - 2013", "DA  - 2012/12/01") == (
        {"date-parts": [[2013]]}, {"DA": ["2012/12/01"]})
    # other text after the third slash is not lost
    assert issued("PY  - 2010///Conference week") == (
        {"date-parts": [[2010]]}, {"PY": ["2010///Conference week"]})
    assert issued("PY  - ///") == (None, {})
