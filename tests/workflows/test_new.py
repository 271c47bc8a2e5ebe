"""`new`: a scaffold that loads, shows every key, reads as placeholders and never overwrites."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tender import model
from tender.errors import TenderInputError
from tender.files import FileSystemError, OutputRefused
from tender.inputs import load_tender
from tender.report.narrative import parse_narrative
from tender.workflows.new import (
    PLACEHOLDER,
    check_name,
    definition_text,
    name_advice,
    narrative_text,
    new,
    scaffold_files,
)

ROOT = Path(__file__).resolve().parents[2]


def scaffolded(root: Path, name: str = "cleaning-2025") -> list[Path]:
    return new(name, root)


def test_new_writes_the_three_files_in_order_and_the_definition_loads(tmp_path: Path) -> None:
    written = scaffolded(tmp_path)
    assert written == [
        tmp_path / "criteria" / "cleaning-2025.yaml",
        tmp_path / "bids" / "cleaning-2025" / "bids.csv",
        tmp_path / "criteria" / "cleaning-2025.narrative.md",
    ]
    tender = load_tender(written[0])
    assert tender.slug == "cleaning-2025"
    assert tender.resolve(tender.data.bids) == written[1].resolve()
    assert tender.data.marks is not None
    assert tender.data.moderated is not None
    assert [p.read_bytes() for p in written] == list(
        scaffold_files("cleaning-2025", tmp_path).values()
    )


def test_the_bids_header_has_the_ids_names_price_and_every_requirement_column(
    tmp_path: Path,
) -> None:
    definition, bids, _ = scaffolded(tmp_path)
    tender = load_tender(definition)
    expected = [
        "bidder_id",
        "bidder",
        tender.price.column,
        *(r.column for r in tender.requirements),
        "legal_name",
        "address",
        "email",
        "identifier_scheme",
        "identifier_id",
    ]
    assert tender.requirements, "the scaffold shows an example requirement"
    assert bids.read_text(encoding="utf-8") == ",".join(expected) + "\n"


def test_templates_can_be_issued_once_the_bids_file_has_rows(tmp_path: Path) -> None:
    from tender.workflows.templates import templates

    definition, bids, _ = scaffolded(tmp_path)
    with bids.open("a", encoding="utf-8", newline="") as stream:
        stream.write("A,First bidder,1000,yes,,,,,\nB,Second bidder,1200,no,,,,,\n")
    issued = templates(definition)
    assert [i.evaluator_id for i in issued] == ["E1", "E2", "E3"]
    assert all(i.path.is_file() and i.issue == 1 for i in issued)


def model_fields() -> set[str]:
    strict = [
        value
        for value in vars(model).values()
        if isinstance(value, type) and issubclass(value, model.Strict) and value is not model.Strict
    ]
    return {name for cls in strict for name in cls.model_fields}


def test_every_key_of_every_model_is_shown(tmp_path: Path) -> None:
    text = definition_text("x")
    missing = sorted(
        name for name in model_fields() if not re.search(rf"^[\s#-]*{name}:", text, re.M)
    )
    assert missing == []


def test_minimum_score_says_it_is_in_quality_points() -> None:
    line = next(x for x in definition_text("x").splitlines() if "minimum_score:" in x)
    assert "quality points" in line


def test_every_free_text_value_is_an_obvious_placeholder(tmp_path: Path) -> None:
    tender = load_tender(scaffolded(tmp_path)[0])
    texts = [
        tender.tender.reference,
        tender.tender.title,
        tender.tender.authority,
        *(c.title for c in tender.quality.all_criteria()),
        *(c.guidance for c in tender.quality.all_criteria()),
        *tender.quality.scale.descriptors.values(),
        *(r.description for r in tender.requirements),
        *(e.role for e in tender.panel),
    ]
    assert all(t.startswith(PLACEHOLDER) for t in texts), texts
    assert all(e.name is None and e.organisation is None for e in tender.panel)
    assert tender.contract == model.Contract()
    assert tender.letters == model.LetterDetails()


def report_keys() -> set[str]:
    """Every narrative key the report reads, from the report's own source."""
    source = (ROOT / "tender" / "report" / "content.py").read_text(encoding="utf-8")
    patterns = (
        r'narrative\(narrative, "([a-z-]+)"',
        r'_simple\("\d+", narrative, "([a-z-]+)"\)',
        r'narrative\.blocks\("([a-z-]+)"\)',
        r'narrative\.items\.get\("([a-z-]+)"\)',
    )
    return {key for pattern in patterns for key in re.findall(pattern, source)}


def test_the_narrative_has_every_heading_the_report_reads() -> None:
    keys = report_keys()
    assert {"purpose", "options", "priorities", "implications"} <= keys  # the patterns work
    narrative = parse_narrative(narrative_text())
    assert set(narrative.sections) | set(narrative.items) == keys


def test_every_narrative_section_and_implication_is_a_placeholder_with_a_sign_off() -> None:
    narrative = parse_narrative(narrative_text())
    for key, blocks in narrative.sections.items():
        if key == "implications":
            continue
        shown = " ".join(b.text + " ".join(b.bullets) for b in blocks)
        assert shown.startswith(PLACEHOLDER), key
    items = narrative.items["implications"]
    assert len(items) >= 5
    for item in items:
        assert item.blocks[0].text.startswith(PLACEHOLDER)
        assert item.sign_off.startswith(PLACEHOLDER), item.title


def test_the_files_are_ascii_with_unix_line_endings(tmp_path: Path) -> None:
    for path, data in scaffold_files("x", tmp_path).items():
        assert data.decode("ascii"), path
        assert b"\r" not in data, path
        assert data.endswith(b"\n"), path


def uncommented(text: str, key: str) -> str:
    """The definition with the commented example of `key` in place of its empty line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith(f"# {key}:"))
    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
    active = next(i for i, line in enumerate(lines) if line.startswith(f"{indent}{key}:"))
    end = start + 1
    while end < len(lines) and lines[end].startswith(f"{indent}#   "):
        end += 1
    block = [
        indent + line[len(indent) + 2 :].replace("YYYY-MM-DD", "2030-01-01")
        for line in lines[start:end]
    ]
    kept = lines[:start] + block + lines[end:]
    del kept[active]  # the active line comes before the example
    return "\n".join(kept) + "\n"


@pytest.mark.parametrize("key", ["sub_criteria", "corridor", "timetable", "lots"])
def test_each_commented_example_loads_when_uncommented(tmp_path: Path, key: str) -> None:
    definition = scaffolded(tmp_path)[0]
    definition.write_text(uncommented(definition.read_text(encoding="utf-8"), key), "utf-8")
    tender = load_tender(definition)
    if key == "lots":
        assert tender.lot_ids() == ["1"]
        assert tender.lot("1").data.bids == "../bids/cleaning-2025/lot-1/bids.csv"
    elif key == "sub_criteria":
        assert [c.id for c in tender.quality.leaves()] == ["Q1a", "Q1b", "Q2"]
    elif key == "corridor":
        assert tender.near_tie.corridor is not None
    else:
        assert len(tender.report.timetable) == 1


def test_the_award_example_loads_beside_the_lots_example(tmp_path: Path) -> None:
    definition = scaffolded(tmp_path)[0]
    text = uncommented(uncommented(definition.read_text(encoding="utf-8"), "lots"), "award")
    definition.write_text(text, "utf-8")
    award = load_tender(definition).award
    assert award is not None
    assert (award.max_lots_per_bidder, award.allocation) == (1, "lot_order")


def test_an_existing_file_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    narrative = tmp_path / "criteria" / "x.narrative.md"
    narrative.parent.mkdir()
    narrative.write_text("mine\n", encoding="utf-8")
    with pytest.raises(OutputRefused) as refused:
        new("x", tmp_path)
    assert [(p.file, p.found) for p in refused.value.problems] == [
        ("criteria/x.narrative.md", "an existing file")
    ]
    assert narrative.read_text(encoding="utf-8") == "mine\n"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["criteria", "x.narrative.md"]


def test_every_existing_target_is_named_whatever_it_is(tmp_path: Path) -> None:
    scaffolded(tmp_path, "x")
    bids = tmp_path / "bids" / "x" / "bids.csv"
    bids.unlink()
    bids.mkdir()
    (tmp_path / "criteria" / "x.yaml").unlink()
    (tmp_path / "criteria" / "x.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    with pytest.raises(OutputRefused) as refused:
        new("x", tmp_path)
    assert [(p.file, p.found) for p in refused.value.problems] == [
        ("criteria/x.yaml", "a symbolic link"),
        ("bids/x/bids.csv", "a folder"),
        ("criteria/x.narrative.md", "an existing file"),
    ]


def test_a_criteria_folder_linked_out_of_the_project_is_refused(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (tmp_path / "criteria").symlink_to(elsewhere)
    with pytest.raises(OutputRefused) as refused:
        new("x", tmp_path)
    problems = refused.value.problems
    assert [Path(p.file).name for p in problems] == ["x.yaml", "x.narrative.md"]
    assert all(p.found.startswith("a path outside the tender's folder") for p in problems)
    assert list(elsewhere.iterdir()) == []
    assert not (tmp_path / "bids").exists()


def test_a_failed_write_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tender.files import write_atomic

    calls: list[Path] = []

    def failing(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", os.fspath(path))
        write_atomic(path, data)

    monkeypatch.setattr("tender.workflows.new.write_atomic", failing)
    with pytest.raises(FileSystemError, match="the disk is full"):
        new("x", tmp_path)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    assert len(new("x", tmp_path)) == 3  # a second attempt is not refused


def test_the_root_must_be_a_folder(tmp_path: Path) -> None:
    from tender.errors import TenderError

    with pytest.raises(TenderError, match="expected the project folder"):
        new("x", tmp_path / "missing")


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("", "''"),
        ("pest control", "'pest control'"),
        ("../x", "'../x'"),
        ("-x", "'-x'"),
        ("x/y", "'x/y'"),
        ("x" * 41, repr("x" * 41)),
        ("caf\u00e9", "'caf\u00e9'"),
        ("x\n", "'x\\n'"),  # "$" in a pattern would let a final newline through
        ("x.", "'x.', ending in '.'"),
        ("con", "'con', a name Windows keeps for a device"),
        ("NUL.old", "'NUL.old', a name Windows keeps for a device"),
        ("lpt1", "'lpt1', a name Windows keeps for a device"),
        ("x.yaml", "'x.yaml', a file name"),
    ],
)
def test_an_unsafe_name_is_refused_before_anything_is_written(
    tmp_path: Path, name: str, found: str
) -> None:
    with pytest.raises(TenderInputError) as refused:
        new(name, tmp_path)
    assert [(p.file, p.found) for p in refused.value.problems] == [("NAME", found)]
    assert list(tmp_path.iterdir()) == []


def test_capitals_are_allowed_with_advice() -> None:
    check_name("Pest-2016")
    assert name_advice("Pest-2016") == [
        "'Pest-2016' has capitals: lower-case names are recommended, because Windows and "
        "macOS treat 'Pest-2016' and 'pest-2016' as the same name"
    ]
    assert name_advice("pest-2016") == []


@given(st.from_regex(rf"\A{model.ID_PATTERN}\Z"))
def test_every_safe_name_gives_a_definition_that_loads(name: str) -> None:
    import tempfile

    try:
        check_name(name)
    except TenderInputError:
        return  # a trailing dot, a device name or .yaml: refused above
    with tempfile.TemporaryDirectory() as folder:
        written = new(name, Path(folder))
        tender = load_tender(written[0])
        assert tender.slug == name
        assert tender.resolve(tender.data.bids) == written[1].resolve()
