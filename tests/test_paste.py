"""Pasting from Word and from web pages keeps a proposal's formatting and drops the rest."""
from __future__ import annotations

from desktop.services.paste import html_to_runs

WORD = """<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>
p.MsoNormal {font-family:Calibri}</style></head><body lang=NL>
<!--StartFragment--><h1>Aanleiding</h1>
<p class=MsoNormal><span style='font-family:Calibri;color:red'>Verpleegkundigen in </span>
<b>Ziekenhuis</b> <i>Aaveld</i> gebruiken CO<sub>2</sub>-meters en m<sup>2</sup>.<o:p></o:p></p>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'>
<![if !supportLists]><span style='font-family:Symbol'>·<span>&nbsp;&nbsp;</span></span><![endif]>
Eerste punt</p>
<p class=MsoListParagraphCxSpLast style='mso-list:l0 level2 lfo1'><![if !supportLists]>
<span>o<span>&nbsp;</span></span><![endif]>Genest punt</p>
<p class=MsoListParagraph style='mso-list:l1 level1 lfo2'><!--[if !supportLists]-->1.&nbsp;
<!--[endif]-->Stap één</p>
<p><img src="x.png"><span style='font-weight:700'>Vet</span> via stijl</p>
<!--EndFragment--></body></html>"""


def test_word_html_keeps_formatting_headings_and_lists() -> None:
    runs = html_to_runs(WORD)
    text = "".join(t for t, _a in runs)
    assert text.splitlines() == [
        "Aanleiding",
        "Verpleegkundigen in Ziekenhuis Aaveld gebruiken CO2-meters en m2.",
        "Eerste punt", "Genest punt", "Stap één", "Vet via stijl"]
    assert ("\n", {"header": 1}) in runs
    assert ("Ziekenhuis", {"bold": True}) in runs
    assert ("Aaveld", {"italic": True}) in runs
    assert ("2", {"script": "sub"}) in runs and ("2", {"script": "super"}) in runs
    newlines = [a for t, a in runs if t == "\n"]
    assert newlines[2] == {"list": "bullet"}
    assert newlines[3] == {"list": "bullet", "indent": 1}
    assert newlines[4] == {"list": "ordered"}
    assert ("Vet", {"bold": True}) in runs
    assert not any("color" in str(a) or "font" in str(a) for _t, a in runs)


def test_web_page_lists_links_and_scripts() -> None:
    html = """<div><script>alert(1)</script><h2>Results</h2><p>See the
    <a href="https://doi.org/10.1126/science.adh2586">experiment</a> and <a href="javascript:x()">
    this</a>.</p><ul><li>one<ol><li>nested <strong>bold</strong></li></ol></li><li>two</li></ul>
    <table><tr><td>a</td><td>b</td></tr></table></div>"""
    runs = html_to_runs(html)
    text = "".join(t for t, _a in runs)
    assert "alert" not in text
    assert text.splitlines() == ["Results", "See the experiment and this.", "one",
                                 "nested bold", "two", "a b"]
    assert ("experiment", {"link": "https://doi.org/10.1126/science.adh2586"}) in runs
    assert not any("javascript" in str(a) for _t, a in runs)
    newlines = [a for t, a in runs if t == "\n"]
    assert newlines[0] == {"header": 2}
    assert newlines[2] == {"list": "bullet"}
    assert newlines[3] == {"list": "ordered", "indent": 1}
    assert newlines[4] == {"list": "bullet"}
