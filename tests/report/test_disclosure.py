"""Nothing internal reaches a bidder or the public: every letter and the public report of
the reference and of a new tender, read back from their PDF and DOCX files, are scanned for
the panel's internal rationale, any evaluator id, and any other bidder's scores (issue 10).
"""

from __future__ import annotations

import html
import io
import re
import shutil
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pandas as pd
import pytest
import yaml
from pypdf import PdfReader

from tender.workflows.new import new
from tender.workflows.report import Reported, report

# Names in several scripts and one very long legal name: each must print as written.
NAMES = {
    "A": (
        "Łódź Usługi Sanitarne Sp. z o.o.",
        "Łódź Usługi Sanitarne Spółka z ograniczoną odpowiedzialnością",
    ),
    "B": ("Cwmni Glanhau Llŷn", "Cwmni Glanhau Llŷn a'r Eifl Cyfyngedig"),
    "C": ("شركة المكافحة المتكاملة", "شركة المكافحة المتكاملة للخدمات البيئية ذ.م.م"),
    "D": ("害虫防除サービス", "株式会社日本害虫防除サービス"),
    "E": (
        "Long Name Holdings",
        "Long Name Holdings " + "and Associated Partners " * 11 + "Limited",
    ),
}


def words(text: str) -> str:
    """Runs of whitespace as one space: a line break in a PDF is not a difference."""
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(path: Path) -> str:
    """The PDF's text as a reader finds it: Arabic is drawn in its joined presentation
    forms, which NFKC maps back to the letters a name is written with (without it, an
    Arabic name or note could leak and never match)."""
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    text = " ".join(page.extract_text() for page in reader.pages)
    return words(unicodedata.normalize("NFKC", text))


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.footer.paragraphs]
    return words(" ".join(parts))


def html_text(path: Path) -> str:
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    return words(html.unescape(re.sub(r"<[^>]+>", " ", text)))


def documents(done: Reported) -> dict[Path, str]:
    """Every PDF, DOCX and HTML written, public report and letters, with its text."""
    readers = {".pdf": pdf_text, ".docx": docx_text, ".html": html_text}
    return {p: readers[p.suffix](p) for p in done.written if p.suffix in readers}


def sentences(text: str) -> list[str]:
    """The clauses of an internal note long enough to be its own (not a common phrase)."""
    return [s.strip() for s in re.split(r"[.;:]\s", words(text)) if len(s.strip()) >= 18]


def scan(done: Reported) -> None:
    """Every bidder-facing and public document against the evaluation's internal record."""
    ev = done.run.evaluation
    frame = ev.rationales
    assert frame is not None
    feedback = " ".join(words(str(t)) for t in frame["feedback"])
    internal = {
        clause
        for note in frame["rationale"]
        for clause in sentences(str(note))
        if clause not in feedback  # words the feedback also uses are not a leak
    }
    assert internal, "the record has internal notes to look for"
    panel = ev.tender.panel_ids()
    records = {r.bidder_id: r.as_json() for r in ev.records()}
    winner = next(b for b, r in records.items() if r["rank"] == 1)
    public = ev.public_names()
    docs = documents(done)
    letters = {p: t for p, t in docs.items() if p.parent.name == "letters"}
    reports = {p: t for p, t in docs.items() if p.name.startswith("award-report.")}
    assert len(letters) == 2 * len(records)
    assert {p.suffix for p in reports} >= {".pdf", ".docx"}
    assert not any("confidential" in p.name for p in [*letters, *reports])
    for path, text in [*letters.items(), *reports.items()]:
        leaked = [clause for clause in internal if clause in text]
        assert leaked == [], path.name
        ids = [e for e in panel if re.search(rf"(?<![\w.]){re.escape(e)}(?![\w.])", text)]
        assert ids == [], path.name
    for path, text in letters.items():
        bidder = next(b for b in records if path.stem == _slug(done, b))
        shown = {bidder, winner}
        for other, record in records.items():
            if other in shown:
                continue
            assert record["bidder"] not in text, (path.name, other)
            for leaf in ev.tender.quality.leaves():
                mine = frame[(frame["bidder_id"] == other) & (frame["criterion_id"] == leaf.id)]
                if mine.empty:  # a bid left out before marking has no feedback
                    continue
                for clause in sentences(str(mine["feedback"].iat[0])):
                    assert clause not in text, (path.name, other)
        totals = set(re.findall(r"Total score (\d+(?:\.\d+)?)", text))
        assert totals <= {records[b]["display"]["total_score"] for b in shown}, path.name
    for path, text in reports.items():
        for other, record in records.items():
            if record["bidder"] not in public[other]:  # anonymised: the real name stays out
                assert record["bidder"] not in text, (path.name, other)


def _slug(done: Reported, bidder_id: str) -> str:
    from tender.report.letters import letter_slugs

    return letter_slugs(done.run.evaluation)[bidder_id]


def test_the_reference_documents_disclose_nothing_internal(reference: Path) -> None:
    scan(report(reference))


def test_the_office_cleaning_example_discloses_nothing_internal(tmp_path: Path) -> None:
    """The second shipped example issues its letters (pa2023) and they, with its public
    report, carry its feedback only, never the panel's rationale."""
    scan(report(_office_cleaning(tmp_path)))


def test_the_schedule_example_s_public_report_prints_no_bid_s_rates(tmp_path: Path) -> None:
    """Under a schedule of rates each bid's rates, line by line, are commercially
    confidential: the public report (PDF, DOCX, HTML) prints none of them, nor the
    extensions they give; the confidential appendix prints them all."""
    from tender import display

    done = report(_office_cleaning(tmp_path))
    ev = done.run.evaluation
    assert ev.pricing is not None
    docs = documents(done)
    public = {p: t for p, t in docs.items() if p.name.startswith("award-report.")}
    confidential = {p: t for p, t in docs.items() if p.name.startswith("award-report-conf")}
    assert (
        {p.suffix for p in public}
        == {p.suffix for p in confidential}
        == {
            ".pdf",
            ".docx",
            ".html",
        }
    )
    figures = {
        (line.bidder_id, display.money(value))
        for line in ev.pricing.traces()
        for value in (line.rate, line.extension)
    }
    losing = {b for b, _ in figures} - {ev.awarded}
    assert losing == {"B", "C", "D"}
    for path, text in public.items():
        shown = [f for f in figures if re.search(rf"{re.escape(f[1])}(?![\d,]|\.\d)", text)]
        assert shown == [], path.name
    for path, text in confidential.items():
        for _, figure in figures:
            assert figure in text, (path.name, figure)
    # what the public report keeps: each bid's evaluated price, worked out by hand in
    # tests/test_example_schedule.py
    for path, text in public.items():
        for total in ("£92,448", "£90,720", "£95,820", "£87,390"):
            assert total in text, (path.name, total)


def _names_with_their_own_stop(bids: Path) -> None:
    """Every bidder renamed to a legal name that ends in its own full stop."""
    frame = pd.read_csv(bids, dtype=str, keep_default_na=False)
    frame["bidder"] = [f"Usługi {b} Sp. z o.o." for b in frame["bidder_id"]]
    if "legal_name" in frame:
        frame["legal_name"] = [f"Usługi {b} Spółka Sp. z o.o." for b in frame["bidder_id"]]
    frame.to_csv(bids, index=False)


@pytest.mark.parametrize("example", ["office-cleaning", "pcr2015"])
def test_a_name_ending_in_a_full_stop_never_gets_a_second_one(tmp_path: Path, example: str) -> None:
    """'Sp. z o.o.' ends a sentence as written, never as 'o.o..': in the letters (the
    winner named at the end of the outcome), the public report (the leader changes, the
    exclusion sentence, a chart's alternative text) and the confidential appendix."""
    if example == "office-cleaning":
        definition = _office_cleaning(tmp_path)
        _names_with_their_own_stop(tmp_path / "bids" / "office-cleaning-2026" / "bids.csv")
        done = report(definition)
    else:
        definition = new_tender(tmp_path, "pcr2015")
        _names_with_their_own_stop(tmp_path / "bids" / "hygiene-2026" / "bids.csv")
        done = report(definition, draft=True)
    docs = documents(done)
    assert len(docs) > 6
    ends = 0
    for path, text in docs.items():
        assert ".." not in text, (path.name, text[max(0, text.find("..") - 80) :][:120])
        ends += len(re.findall(r"Sp\. z o\.o\. [A-Z0-9]", text))
    assert ends, "some sentence ends with a name"


def _office_cleaning(tmp_path: Path) -> Path:
    root = Path(__file__).resolve().parents[2]
    (tmp_path / "criteria").mkdir()
    for suffix in (".yaml", ".narrative.md"):
        shutil.copy(root / "criteria" / f"office-cleaning-2026{suffix}", tmp_path / "criteria")
    shutil.copytree(
        root / "bids" / "office-cleaning-2026", tmp_path / "bids" / "office-cleaning-2026"
    )
    return tmp_path / "criteria" / "office-cleaning-2026.yaml"


def rival(bidder_id: str) -> str:
    return "B" if bidder_id == "A" else "A"


def new_tender(root: Path, regime: str) -> Path:
    """`tender new`, then completed as an officer would: definition, bids, marks, narrative."""
    new("hygiene-2026", root)
    definition = root / "criteria" / "hygiene-2026.yaml"
    data: dict[str, Any] = {
        "schema_version": 1,
        "tender": {
            "reference": "HYG-2026",
            "title": "Environmental hygiene services",
            "authority": "Example County Council",
            "regime": regime,
        },
        "contract": {"start": date(2026, 9, 1), "initial_years": 3},
        "weights": {"price": 60.0, "quality": 40.0},
        "price": {"column": "price", "formula": {"name": "lowest_price"}},
        "quality": {
            "scale": {"maximum": 5.0},
            "criteria": [
                {"id": "Q1", "title": "Method statement", "weight": 25.0},
                {"id": "Q2", "title": "Social value", "weight": 15.0},
            ],
        },
        "panel": [
            {"id": "EV1", "role": "Service manager"},
            {"id": "EV2", "role": "Procurement officer"},
        ],
        "data": {
            "bids": "../bids/hygiene-2026/bids.csv",
            "marks": "../bids/hygiene-2026/marks.csv",
            "moderated": "../bids/hygiene-2026/moderated.csv",
        },
        "publication": {"anonymise_unsuccessful": True},
        "letters": {
            "sent": date(2026, 6, 15),
            "award_notice": date(2026, 6, 16),
            "signatory": "Dana Example",
            "criteria_at": "the invitation to tender, part 3",
        },
    }
    definition.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    bids = root / "bids" / "hygiene-2026"
    prices = {"A": 100_000, "B": 104_000, "C": 120_000, "D": 131_000, "E": 150_000}
    pd.DataFrame(
        [
            {
                "bidder_id": b,
                "bidder": NAMES[b][0],
                "price": str(p),
                "legal_name": NAMES[b][1],
                "address": f"{n} Example Street\nExampletown EX{n} 1AA",
                "email": f"tenders@{b.lower()}.example.org",
                "identifier_scheme": "GB-COH",
                "identifier_id": f"{n:08d}",
            }
            for n, (b, p) in enumerate(prices.items(), start=1)
        ]
    ).to_csv(bids / "bids.csv", index=False)
    marks = {"A": (4, 3), "B": (4, 4), "C": (3, 3), "D": (2, 4), "E": (5, 2)}
    pd.DataFrame(
        [
            {"bidder_id": b, "criterion_id": c, "evaluator_id": e, "mark": str(m[j])}
            for b, m in marks.items()
            for j, c in enumerate(("Q1", "Q2"))
            for e in ("EV1", "EV2")
        ]
    ).to_csv(bids / "marks.csv", index=False)
    pd.DataFrame(
        [
            {
                "bidder_id": b,
                "criterion_id": c,
                "moderated_mark": str(m[j]),
                # the panel's own note: names an evaluator and a rival, never for the bidder
                "rationale": f"Agreed after EV2 compared it with {NAMES[rival(b)][0]} at the "
                f"meeting; spread discussed for bid {b} criterion {c}",
                "feedback": f"Section {j + 2} of your tender sets out "
                + (
                    "a staffed rota with named supervisors"
                    if c == "Q1"
                    else "local apprenticeships"
                )
                + f" for bid {b}.",
            }
            for b, m in marks.items()
            for j, c in enumerate(("Q1", "Q2"))
        ]
    ).to_csv(bids / "moderated.csv", index=False)
    return definition


@pytest.mark.parametrize("regime", ["pa2023", "pcr2015", "local_rules"])
def test_a_new_tenders_documents_disclose_nothing_internal(tmp_path: Path, regime: str) -> None:
    done = report(new_tender(tmp_path, regime), draft=True)
    scan(done)
    texts = documents(done)
    for bidder_id, (_name, legal) in NAMES.items():
        stem = _slug(done, bidder_id)
        for suffix in (".pdf", ".docx"):
            letter = next(
                t
                for p, t in texts.items()
                if p.parent.name == "letters" and p.name == stem + suffix
            )
            assert "?" not in letter  # no character fell back to '?'
            if suffix == ".docx":
                assert words(legal) in letter  # any script, any length, as written
            else:  # a PDF's lines break a long name; each word is read back as written
                for word in words(legal).split():
                    assert word in letter, (suffix, word)
            if suffix == ".pdf" and bidder_id == "C":
                # the scan finds an Arabic name in a PDF: an Arabic leak could not hide
                assert NAMES["C"][0] in letter


def test_the_lots_examples_letters_and_public_report_disclose_nothing_internal(
    project: Path,
) -> None:
    """Each lot's internal rationale and the panel's ids stay out of every letter and the
    public report; a letter's totals are only its bidder's and each of its lots' awarded
    tender's."""
    import shutil

    from tender.workflows.report import LotsReported

    root = Path(__file__).resolve().parents[2]
    shutil.copytree(root / "bids" / "cleaning-lots-2026", project / "bids" / "cleaning-lots-2026")
    done = report(project / "criteria" / "cleaning-lots-2026.yaml")
    assert isinstance(done, LotsReported)
    lots = done.run.evaluation
    feedback, internal = "", set()
    for ev in lots.lots:
        frame = ev.rationales
        assert frame is not None
        feedback += " ".join(words(str(t)) for t in frame["feedback"])
    for ev in lots.lots:
        assert ev.rationales is not None
        internal |= {
            c
            for note in ev.rationales["rationale"]
            for c in sentences(str(note))
            if c not in feedback
        }
    assert internal, "the record has internal notes to look for"
    readers = {".pdf": pdf_text, ".docx": docx_text, ".html": html_text}
    docs = {p: readers[p.suffix](p) for p in done.written if p.suffix in readers}
    shown = [p for p in docs if p.parent.name == "letters" or p.name.startswith("award-report.")]
    assert len([p for p in shown if p.parent.name == "letters"]) == 6
    for path in shown:
        assert [c for c in internal if c in docs[path]] == [], path.name
        assert not re.search(r"(?<![\w.])E[12](?![\w.])", docs[path]), path.name
    for path in (p for p in shown if p.parent.name == "letters"):
        bidder = path.stem[0].upper()
        allowed = set()
        for ev in lots.lots:
            records = {r.bidder_id: r for r in ev.records()}
            if bidder in records:
                allowed |= {records[b].display.total_score for b in (bidder, ev.awarded) if b}
        totals = set(re.findall(r"Total score (\d+(?:\.\d+)?)", docs[path]))
        assert totals <= allowed, path.name


# A rival's line rate, as a document prints money (display.money), found as a whole amount:
# '£70' is not found in '£70,000' or '£70.50', nor '£7' in '£70'.
def _amounts(figures: set[str], text: str) -> set[str]:
    return {f for f in figures if re.search(rf"(?<![\d,.]){re.escape(f)}(?![\d,]|\.\d)", text)}


def _rival_rates(pricing: Any, reader: str | None) -> set[str]:
    """Every line rate another bid offered, as money; a figure the reader offered itself
    for some line is its own to see. `reader` None: the public, to whom every rate is
    another's."""
    from tender import display
    from tender.pricing import OFFERED

    offered = [t for t in pricing.traces() if t.basis == OFFERED and t.rate is not None]
    own = {display.money(t.rate) for t in offered if t.bidder_id == reader}
    return {display.money(t.rate) for t in offered if t.bidder_id != reader} - own


def scan_rates(done: Reported | Any, evaluations: list[Any]) -> dict[str, str]:
    """Each letter (PDF, DOCX) and the public report (PDF, DOCX, HTML) against every other
    bidder's line rates, lot by lot; returns each letter's text by bidder id."""
    docs = documents(done)
    letters = {p: t for p, t in docs.items() if p.parent.name == "letters"}
    reports = {p: t for p, t in docs.items() if p.name.startswith("award-report.")}
    assert letters
    assert {p.suffix for p in reports} == {".pdf", ".docx", ".html"}
    by_bidder: dict[str, str] = {}
    for path, text in letters.items():
        reader = path.stem.split("-")[0].upper()
        by_bidder.setdefault(reader, text)
        for ev in evaluations:
            if reader in ev.pricing.bidder_ids:
                assert _amounts(_rival_rates(ev.pricing, reader), text) == set(), path.name
    for path, text in reports.items():
        for ev in evaluations:
            assert _amounts(_rival_rates(ev.pricing, None), text) == set(), path.name
    return by_bidder


def _drop_rate(prices: Path, bidder_id: str, line_id: str) -> None:
    """The bid leaves the line unpriced: its row is taken out of the prices file."""
    frame = pd.read_csv(prices, dtype=str, keep_default_na=False)
    keep = ~((frame["bidder_id"] == bidder_id) & (frame["line_id"] == line_id))
    assert not keep.all()
    frame[keep].to_csv(prices, index=False)


def test_a_letter_never_gives_the_rival_rate_an_unpriced_line_was_counted_at(
    tmp_path: Path,
) -> None:
    """The office-cleaning example: C left L3 unpriced and, as the tender states, it is
    counted at the highest rate the other compliant bids offered, B's £70 (D's £95 does not
    count: D fails SAFE). B's rate is commercially confidential: C's letter states the rule
    and C's own evaluated price, £95,820 (tests/test_example_schedule.py), and no rate of
    A's, B's or D's; no other letter nor the public report gives one either."""
    done = report(_office_cleaning(tmp_path))
    letters = scan_rates(done, [done.run.evaluation])
    # the panel's confidential appendix keeps the figure
    for path in done.written:
        if path.name.startswith("award-report-confidential."):
            assert _amounts({"£70"}, documents(done)[path]) == {"£70"}, path.name
    c = letters["C"]
    assert (
        "Your tender left line L3 unpriced; as the tender documents state, it is priced "
        "at the highest rate offered for it by the other compliant bids, and your evaluated "
        "price of £95,820 includes it at that rate. That rate is another bidder's offer, "
        "commercially confidential, so it is not given here." in c
    )
    # reg 31: the score still explained by reference to the tender (offer, anchor, formula)
    assert (
        "Your evaluated price of £95,820, scored against the lowest evaluated price among the "
        "compliant tenders, £90,720: W × lowest ÷ price = 50 × £90,720 ÷ £95,820 = 47.3 out of "
        "50." in c
    )


def test_the_winner_s_unpriced_line_is_not_given_at_a_rival_s_rate_either(
    tmp_path: Path,
) -> None:
    """The winner A leaves L2 unpriced: counted at the highest compliant L2 rate, B's £450
    (C offered £400; D's £380 does not count), A's evaluated price is
    250×85 + 12×450 + 52×65.50 + 40×28 = 31176 a year × 3 = £93,528, still first
    (50 × 90720 ÷ 93528 = 48.5, + 38 = 86.5 against C's 84.3). Each losing letter's account
    of the successful tender states the rule and A's evaluated price, never B's £450."""
    definition = _office_cleaning(tmp_path)
    _drop_rate(tmp_path / "bids" / "office-cleaning-2026" / "prices.csv", "A", "L2")
    done = report(definition)
    assert done.run.evaluation.awarded == "A"
    letters = scan_rates(done, [done.run.evaluation])
    for reader in ("B", "C"):
        assert (
            "It left line L2 unpriced; as the tender documents state, it is priced "
            "at the highest rate offered for it by the other compliant bids, and its evaluated "
            "price of £93,528 includes it at that rate." in letters[reader]
        ), reader
    assert "W × lowest ÷ price = 50 × £90,720 ÷ £93,528 = 48.5 out of 50." in letters["C"]
    assert (
        "Your tender left line L2 unpriced; as the tender documents state, it is priced "
        "at the highest rate offered for it by the other compliant bids, and your evaluated "
        "price of £93,528 includes it at that rate." in letters["A"]
    )


def test_the_lots_letters_never_give_a_rival_s_rate_for_an_unpriced_line(
    project: Path,
) -> None:
    """The lots example under the same rule: in lot 1, C leaves C2 unpriced and it is
    counted at the highest compliant C2 rate, B's £250 (A offered £200), so C's evaluated
    price is (250×45 + 12×250) × 2 = £28,500. No lot's letter or public report gives a
    rival's rate; nor do the open data and the contracts register publish one."""
    from tender.workflows.publish import publish
    from tender.workflows.report import LotsReported

    root = Path(__file__).resolve().parents[2]
    shutil.copytree(root / "bids" / "cleaning-lots-2026", project / "bids" / "cleaning-lots-2026")
    definition = project / "criteria" / "cleaning-lots-2026.yaml"
    text = definition.read_text(encoding="utf-8")
    old = "    basis: rates\n    years: 2\n"
    assert text.count(old) == 1
    definition.write_text(
        text.replace(old, old + "    missing_line:\n      rule: highest_other\n"),
        encoding="utf-8",
    )
    _drop_rate(project / "bids" / "cleaning-lots-2026" / "lot-1" / "prices.csv", "C", "C2")
    done = report(definition)
    assert isinstance(done, LotsReported)
    lots = list(done.run.evaluation.lots)
    letters = scan_rates(done, lots)
    assert (
        "Your tender left line C2 unpriced; as the tender documents state, it is priced "
        "at the highest rate offered for it by the other compliant bids, and your evaluated "
        "price of £28,500 includes it at that rate. That rate is another bidder's offer, "
        "commercially confidential, so it is not given here." in letters["C"]
    )
    # the open data and the register publish no bid's line rate either: the package's only
    # amounts are the estimated values (the definition's 127000, 55000, 56000 and 16000) and
    # each awarded bid's evaluated price: C's £28,500 on lot 1 (A, first there, has lot 2),
    # A's (250×42 + 12×210) × 2 = £26,040 on lot 2, B's 24 × 160 × 2 = £7,680 on lot 3
    published = publish(definition)
    package = next(p for p in published.written if p.suffix == ".json")
    amounts = re.findall(r'"amount": ?(-?[\d.]+)', package.read_text(encoding="utf-8"))
    assert set(amounts) == {"127000", "55000", "56000", "16000", "28500", "26040", "7680"}
    register = next(p for p in published.written if p.suffix == ".csv")
    values = pd.read_csv(register, dtype=str)["Total value"]
    assert list(values) == ["55000", "56000", "16000"]
