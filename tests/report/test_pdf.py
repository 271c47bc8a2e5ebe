"""The award report and letters as PDF, read back with pypdf."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import shutil
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from tender.report.content import report_content
from tender.report.docx import render_docx
from tender.report.letters import letter_content
from tender.report.narrative import Narrative, load_narrative
from tender.report.pdf import render_pdf

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"


def pages(data: bytes) -> list[str]:
    """The text of each page with runs of whitespace collapsed to one space."""
    reader = PdfReader(io.BytesIO(data))
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def test_reference_report_table_1_winner_and_near_tie(reference_ev, reference_narrative):
    data = render_pdf(report_content(reference_ev, reference_narrative))
    text = " ".join(pages(data))
    with (REFERENCE / "expected-table-1.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert (
        "Table 1: Scores from assessment panel. Organisation Price Score Quality Weighted "
        "Score Total Score" in text
    )
    for row in rows:
        line = " ".join(
            [
                row["organisation"],
                row["price_score"],
                row["quality_weighted_score"],
                row["total_score"],
            ]
        )
        assert line in text, line
    assert (
        "To approve the appointment of Goodwin Pest Management as Pest Control Service "
        "provider from 1 January 2017 for an initial period of three years (with an option to "
        "extend for up to a further two years)." in text
    )
    assert (
        "Company A (Goodwin Pest Management) and Company B were very close on total score "
        "(80.3 and 79.1; a difference of 1.2 points)" in text
    )
    assert "Bids this close may be interviewed to clarify points" in text
    assert "the evaluation panel interviewed both companies" in text


def test_pdf_metadata_is_set_explicitly(reference_ev, reference_narrative, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    data = render_pdf(report_content(reference_ev, reference_narrative))
    meta = PdfReader(io.BytesIO(data)).metadata
    assert meta is not None
    assert meta["/Author"] == "Maidstone Borough Council, for Maidstone and Swale Borough Councils"
    assert meta["/Creator"] == "tender"
    assert meta["/Title"] == "Pest Control Arrangements: award recommendation"
    # the report's own date, the committee's meeting (13 December 2016), not a clock's
    assert meta["/CreationDate"] == meta["/ModDate"] == "D:20161213000000+00'00'"
    packet = data[data.index(b"<x:xmpmeta") : data.index(b"</x:xmpmeta>")]
    assert b"<xmp:CreateDate>2016-12-13T00:00:00Z</xmp:CreateDate>" in packet
    assert b"<xmp:ModifyDate>2016-12-13T00:00:00Z</xmp:ModifyDate>" in packet


def test_pdf_dates_follow_source_date_epoch_when_set(
    reference_ev, reference_narrative, monkeypatch
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1781049600")  # 2026-06-10 00:00:00 UTC
    data = render_pdf(report_content(reference_ev, reference_narrative))
    meta = PdfReader(io.BytesIO(data)).metadata
    assert meta is not None
    assert meta["/CreationDate"] == meta["/ModDate"] == "D:20260610000000+00'00'"
    assert b"<xmp:CreateDate>2026-06-10T00:00:00Z</xmp:CreateDate>" in data
    assert data == render_pdf(report_content(reference_ev, reference_narrative))


def test_a_pdf_with_no_date_of_its_own_states_none(reference_ev, reference_narrative, monkeypatch):
    """Without SOURCE_DATE_EPOCH or a date the document bears, no date is made up."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    doc = report_content(reference_ev, reference_narrative)
    undated = dataclasses.replace(doc, metadata=dataclasses.replace(doc.metadata, date=None))
    data = render_pdf(undated)
    meta = PdfReader(io.BytesIO(data)).metadata
    assert meta is not None
    assert meta["/Title"] == "Pest Control Arrangements: award recommendation"
    assert "/CreationDate" not in meta
    assert "/ModDate" not in meta
    assert b"CreateDate" not in data
    assert b"ModifyDate" not in data
    assert data == render_pdf(undated)


def test_pdf_bytes_are_reproducible(reference_ev, reference_narrative):
    first = render_pdf(report_content(reference_ev, reference_narrative))
    second = render_pdf(report_content(reference_ev, reference_narrative))
    assert first == second


def test_missing_narrative_placeholder_is_visible_in_the_pdf(reference_ev):
    text = " ".join(pages(render_pdf(report_content(reference_ev, Narrative()))))
    assert "[NARRATIVE MISSING: background]" in text


def test_forty_bidders_with_long_names_split_tables_with_repeated_headers(make_evaluation):
    ev = make_evaluation(40, long_names=True)
    text_by_page = pages(render_pdf(report_content(ev, Narrative())))
    header = "Organisation Price Score Quality Weighted Score Total Score"
    with_header = [i for i, t in enumerate(text_by_page) if header in t]
    assert len(with_header) >= 3  # Table 1 runs over several pages, header on each
    assert with_header == list(range(with_header[0], with_header[0] + len(with_header)))
    # every bid is in the table, with its whole (wrapped) name
    whole = " ".join(text_by_page[i] for i in with_header)
    for n in range(1, 41):
        assert f"Services Partnership Limited S{n:02d}" in whole
    # Appendix B splits too, its header repeated
    marks_header = "Organisation Q1a (12) Q1b (8) Q2 (12) Q3 (8) Quality weighted score"
    assert sum(marks_header in t for t in text_by_page) >= 2


def test_hostile_names_are_text_not_markup(make_evaluation):
    ev = make_evaluation(3, "pa2023", long_names=False)
    table = ev.table.copy()
    table.loc[0, "bidder"] = "<b>Evil</b> & Sons <font size=40>"
    ev = dataclasses.replace(ev, table=table)
    bidder = table.loc[0, "bidder_id"]
    text = " ".join(pages(render_pdf(letter_content(ev, bidder))))
    assert "Dear <b>Evil</b> & Sons <font size=40>," in text


def test_letter_pdf_names_the_winner(reference_ev):
    text = " ".join(pages(render_pdf(letter_content(reference_ev, "C"))))
    assert "intends to award the contract to Goodwin Pest Management." in text
    assert "Dear Company C," in text


# the fixture returns a stateless builder, so sharing it between examples is safe
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.text(min_size=1, max_size=120))
def test_any_bidder_name_renders(make_evaluation, name):
    ev = make_evaluation(3, "pa2023", long_names=False)
    table = ev.table.copy()
    table.loc[0, "bidder"] = name
    ev = dataclasses.replace(ev, table=table)
    doc = letter_content(ev, table.loc[0, "bidder_id"])
    assert render_pdf(doc).startswith(b"%PDF")
    assert render_docx(doc)[:2] == b"PK"


LEGAL_300 = (
    "The Honourable Company of Integrated Environmental Hygiene, Pest Management, Grounds "
    "Maintenance and Associated Facilities Services for the Counties of Kent, Surrey and "
    "Sussex (Holdings) Limited Liability Partnership, trading as Southern Counties Pest "
    "Control and Environmental Services (Reg. Office)"
)
SCRIPTS = {
    "Polish": "Zażółć Gęślą Jaźń Sp. z o.o.",
    "Welsh": "Gwasanaethau Dŵr a Thŷ Cyf",
    "Arabic": "شركة الخليج للخدمات",
    "Japanese": "株式会社東京害虫駆除サービス",
    "300 characters": LEGAL_300,
}


def with_names(ev, names):
    table = ev.table.copy()
    for row, name in enumerate(names):
        table.loc[row, "bidder"] = name
    return dataclasses.replace(ev, table=table)


def test_names_print_as_written_in_every_script(make_evaluation):
    assert len(LEGAL_300) == 300
    for regime in ("pa2023", "pcr2015", "local_rules"):
        ev = with_names(make_evaluation(6, regime, long_names=False), SCRIPTS.values())
        report = "".join(pages(render_pdf(report_content(ev, Narrative())))).replace(" ", "")
        for script, name in SCRIPTS.items():
            if script in ("Polish", "Welsh", "Japanese"):
                assert name.replace(" ", "") in report, (regime, script)
        for row, (script, name) in enumerate(SCRIPTS.items()):
            bidder = ev.table.loc[row, "bidder_id"]
            letter = "".join(pages(render_pdf(letter_content(ev, bidder)))).replace(" ", "")
            if script == "Arabic":  # drawn joined: presentation forms, read back by NFKC
                assert name.replace(" ", "") not in letter
                # pypdf reads a right-to-left run back in logical order, but places the
                # comma after "Dear" by its own rule
                assert name.replace(" ", "") in unicodedata.normalize("NFKC", letter)
            else:
                assert f"Dear{name.replace(' ', '')}," in letter, (regime, script)


ARABIC_NAME = "شركة النور للخدمات البيئية المتكاملة"  # five words, logical order


def test_right_to_left_text_wraps_on_its_logical_words_and_reorders_each_line():
    from reportlab.lib.styles import ParagraphStyle

    from tender.report.fonts import REGULAR, register, shape, visual, width
    from tender.report.pdf import para

    register()
    style = ParagraphStyle("cell", fontName=REGULAR, fontSize=9, leading=11)
    room = width("شركة النور للخدمات", REGULAR, 9) + 2  # "To" and two words fit, not three
    paragraph = para(f"To {ARABIC_NAME} (B)", style)
    paragraph.wrap(room, 1000)
    lines = ["".join(w.text for w in line.words).strip() for line in paragraph.blPara.lines]
    words = ARABIC_NAME.split()
    # the first line holds the first words read (right to left), not the last ones drawn
    assert lines[0] == visual(shape("To " + " ".join(words[:2])))
    assert lines[0].startswith("To ")
    assert lines[0].endswith(shape(words[0])[::-1])  # the first word read is drawn rightmost
    assert lines[-1].endswith("(B)")
    assert len(lines) >= 2


def fonts_and_embedding(data: bytes) -> dict[str, bool]:
    """Every font the PDF's pages use, and whether its program is embedded in the file."""
    found: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            described = font
            if font["/Subtype"] == "/Type0":
                described = font["/DescendantFonts"][0].get_object()
            descriptor = described.get("/FontDescriptor")
            embedded = descriptor is not None and any(
                key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            found[str(font["/BaseFont"])] = embedded
    return found


def test_every_font_is_embedded_in_the_report_appendix_and_letters(make_evaluation):
    from tender.report.content import confidential_content

    ev = with_names(make_evaluation(6, "pa2023", long_names=False), SCRIPTS.values())
    documents = {
        "report": report_content(ev, Narrative()),
        "confidential": confidential_content(ev),
        "letter": letter_content(ev, ev.table.loc[3, "bidder_id"]),  # the Japanese name
    }
    for name, doc in documents.items():
        found = fonts_and_embedding(render_pdf(doc))
        assert found, name
        assert all(found.values()), (name, found)  # no standard Helvetica or Times reference
        assert not [f for f in found if "Helvetica" in f or "Times" in f], (name, found)
    letter = fonts_and_embedding(render_pdf(documents["letter"]))
    assert any("DroidSansFallback" in f for f in letter)


def test_pdf_title_author_subject_and_language(reference_ev, reference_narrative):
    reader = PdfReader(io.BytesIO(render_pdf(report_content(reference_ev, reference_narrative))))
    meta = reader.metadata
    assert meta is not None
    assert meta["/Title"] == "Pest Control Arrangements: award recommendation"
    assert meta["/Subject"] == "MBC-PEST-2016: award recommendation report"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert xmp.dc_language == ["en-GB"]
    assert xmp.dc_title == {"x-default": "Pest Control Arrangements: award recommendation"}
    assert xmp.dc_creator == ["Maidstone Borough Council, for Maidstone and Swale Borough Councils"]
    assert xmp.dc_description == {"x-default": "MBC-PEST-2016: award recommendation report"}


def test_letter_metadata_names_its_subject_and_language(reference_ev):
    reader = PdfReader(io.BytesIO(render_pdf(letter_content(reference_ev, "C"))))
    assert reader.metadata["/Subject"] == "MBC-PEST-2016: letter to bidder C"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert reader.xmp_metadata.dc_language == ["en-GB"]


def test_xmp_escapes_what_it_is_given():
    from tender.report.document import Metadata
    from tender.report.pdf import xmp

    packet = xmp(Metadata(title="<script>&", subject="s", author='A "B"', language="cy"))
    assert b'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">&lt;script&gt;&amp;</rdf:li>' in packet
    assert b"<rdf:li>cy</rdf:li>" in packet


def test_reportlab_measures_and_formats_with_its_c_accelerator():
    """rl_accel (reportlab[accel]) does string widths and number formatting in C: the same
    bytes, in a fraction of the time every PDF spends measuring its text."""
    from reportlab.lib import rl_accel

    assert {"fp_str", "instanceStringWidthTTF", "calcChecksum"} <= set(rl_accel._c_funcs)


def _page_lines(data: bytes) -> list[list[str]]:
    """Each page's lines of text, its footer (the line naming the page) left out."""
    reader = PdfReader(io.BytesIO(data))
    out = []
    for number, page in enumerate(reader.pages, start=1):
        lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
        out.append([line for line in lines if not line.endswith(f"Page {number}")])
    return out


def test_no_page_of_a_report_holds_only_a_line_or_two(reference, tmp_path):
    """A section that starts a page follows on when the page so far holds only the tail of
    the one before (Appendix A's last lines), and the report appendices and background
    papers stay on one page: no page of the reference report, nor of the schedule example's
    report and confidential appendix, is left with a line or two."""
    from tender.workflows.report import report

    root = Path(__file__).resolve().parents[2]
    example = tmp_path / "example"
    (example / "criteria").mkdir(parents=True)
    for suffix in (".yaml", ".narrative.md"):
        name = f"office-cleaning-2026{suffix}"
        (example / "criteria" / name).write_bytes((root / "criteria" / name).read_bytes())
    shutil.copytree(
        root / "bids" / "office-cleaning-2026", example / "bids" / "office-cleaning-2026"
    )
    written = [
        *report(reference, out=tmp_path / "ref", letters=False).written,
        *report(example / "criteria" / "office-cleaning-2026.yaml", letters=False).written,
    ]
    pdfs = [p for p in written if p.suffix == ".pdf"]
    assert len(pdfs) == 4
    for path in pdfs:
        pages = _page_lines(path.read_bytes())
        assert [n for n, lines in enumerate(pages, start=1) if len(lines) < 5] == [], path
        if path.name == "award-report.pdf":
            together = [p for p in pages if any(" BACKGROUND PAPERS" in line for line in p)]
            assert len(together) == 1
            assert any("REPORT APPENDICES" in line for line in together[0]), path


# what the charts draw besides the document's own words (tender/report/charts.py)
CHART_WORDS = "Score (out of 100) Price weight (quality weight = 100 − price weight) weight used:"


def _words(value: str) -> set[str]:
    return set(re.split(r"\s+", unicodedata.normalize("NFKC", value))) - {""}


def test_no_word_of_a_report_or_letter_is_broken_across_lines(tmp_path):
    """Every word a reader finds in the PDFs of the reference and of the schedule example
    (report, confidential appendix, each letter) is a whole word of the document: no cell
    wraps letter by letter ('informatio n'), no file name or rate is cut mid-word. Section
    labels ('2.') and the bullet and page marks are the layout's own."""
    from tender.report.content import confidential_content
    from tender.report.fonts import SUBSTITUTES
    from tender.report.letters import letter_slugs
    from tender.workflows.evaluation import evaluate_file

    root = Path(__file__).resolve().parents[2]
    for name in ("pest-control-2016", "office-cleaning-2026"):
        (tmp_path / name / "criteria").mkdir(parents=True)
        for suffix in (".yaml", ".narrative.md"):
            shutil.copy(root / "criteria" / f"{name}{suffix}", tmp_path / name / "criteria")
        shutil.copytree(root / "bids" / name, tmp_path / name / "bids" / name)
        ev = evaluate_file(tmp_path / name / "criteria" / f"{name}.yaml").evaluation
        narrative = load_narrative(ev.tender)
        docs = [report_content(ev, narrative), confidential_content(ev)]
        docs += [letter_content(ev, b) for b in letter_slugs(ev)]
        for doc in docs:
            source = f"{doc.text()} {doc.footer} {CHART_WORDS}"
            for char, shown in SUBSTITUTES.items():  # as the PDF fonts print them
                source = source.replace(char, shown)
            known = _words(source)
            reader = PdfReader(io.BytesIO(render_pdf(doc)))
            found = set().union(*(_words(page.extract_text()) for page in reader.pages))
            broken = {w for w in found - known if not re.fullmatch(r"\d+\.|•|Page|\d+", w)}
            assert broken == set(), (name, doc.metadata.subject)
