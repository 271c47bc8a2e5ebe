"""Read a tender definition (YAML) and its CSV inputs into models and DataFrames.

Hostile-input rules: YAML through a safe loader that also refuses aliases (alias bombs)
and oversized files; CSV as text only (no NA or number guessing), UTF-8 required; prices
parsed explicitly. Every problem names the file and the field, line or column.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

import numpy as np
import pandas as pd
import yaml
from pydantic import ValidationError

from .audit import sha256_file
from .bidders import clean_names, suppliers
from .errors import Problem, TenderInputError, raise_if, shorten
from .files import NotAFileError, open_regular, reason
from .model import SUPPLIER_COLUMNS, SingleColumn, Tender
from .pricing import Pricing

if TYPE_CHECKING:
    from .abnormal import Decision

Read = TypeVar("Read")

MAX_YAML_BYTES = 1 << 20
MAX_CSV_BYTES = 1 << 30
MAX_FIELD_CHARS = 32_767  # Excel's own limit for one cell
SMALL_TABLE_CELLS = 20_000  # a table checked for damaged cells all at once
MAX_CELL_PROBLEMS = 50  # damaged cells named before the rest are left unsaid
PLAIN_NUMBER = re.compile(r"^\d+(\.\d+)?$")


MAX_YAML_DEPTH = 50  # nested sections and lists; a real definition needs fewer than 15
MAX_YAML_DIGITS = 100  # digits in an integer: no amount, weight or count needs more


class _NodeError(yaml.constructor.ConstructorError):
    """A value YAML read but could not turn into data; `node` locates it in the tree."""

    def __init__(self, node: Any, found: str, expected: str) -> None:
        super().__init__(None, None, found, node.start_mark)
        self.node = node
        self.expected = expected


if TYPE_CHECKING:  # the stubs know the composed loaders by name only; the API is SafeLoader's
    _Loader = yaml.SafeLoader
elif getattr(yaml, "__with_libyaml__", False):
    from yaml._yaml import CParser

    class _Loader(
        yaml.composer.Composer, CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver
    ):
        """SafeLoader with libyaml's scanner and parser (in C: 0.9 ms for the reference
        definition, where PyYAML's own took 7.7 ms) and PyYAML's composer, in Python, so
        that every node still passes through `compose_node` below."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

else:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader


class _SafeNoAliasLoader(_Loader):
    """SafeLoader that refuses aliases and anchors (a 1 kB alias bomb expands to gigabytes),
    nesting deeper than MAX_YAML_DEPTH, and values no tender field can hold."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.anchored: list[tuple[str, Any]] = []

    def compose_node(self, parent: Any, index: Any) -> Any:
        event: Any = self.peek_event()  # type: ignore[no-untyped-call]
        mark: Any = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "an alias (*name)", mark)
        if self.depth >= MAX_YAML_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"more than {MAX_YAML_DEPTH} levels of nesting", mark
            )
        self.depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self.anchored.append((anchor, node))
        return node

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        """Any value the constructors cannot build becomes a located YAML error."""
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, AttributeError, OverflowError) as exc:
            tag = str(node.tag).rsplit(":", 1)[-1]
            raise _NodeError(
                node, f"{shorten(node.value)} ({exc})", f"a value YAML can read as {tag}"
            ) from None

    def construct_yaml_timestamp(self, node: Any) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, AttributeError, OverflowError) as exc:
            raise _NodeError(
                node,
                f"the date {shorten(node.value)} ({exc})",
                "a date that exists, written YYYY-MM-DD",
            ) from None

    def construct_yaml_int(self, node: Any) -> Any:
        digits = sum(ch.isdigit() for ch in str(node.value))
        if digits > MAX_YAML_DIGITS:
            raise _NodeError(
                node,
                f"an integer of {digits:,} digits",
                f"a number of at most {MAX_YAML_DIGITS} digits",
            )
        return super().construct_yaml_int(node)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        """Refuse a key given twice: YAML would silently keep only the last one."""
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                repeated = key in seen
            except TypeError:  # an unhashable key: SafeConstructor reports it
                continue
            if repeated:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} a second time", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_SafeNoAliasLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", _SafeNoAliasLoader.construct_yaml_timestamp
)
_SafeNoAliasLoader.add_constructor("tag:yaml.org,2002:int", _SafeNoAliasLoader.construct_yaml_int)


def project_root(tender: Tender) -> Path:
    """The folder holding `criteria/`, `bids/` and `reports/` for this tender."""
    if tender.source is None:
        return Path.cwd()
    folder = tender.source.parent
    return folder.parent if folder.name == "criteria" else folder


def display_path(path: Path, root: Path | None = None) -> str:
    """A path as shown in messages and fingerprints: relative to `root` (or cwd) if inside."""
    for base in (root, Path.cwd()):
        if base is None:
            continue
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return path.as_posix()


def load_tender(path: str | Path) -> Tender:
    """Read and validate a tender definition.

    Raises:
        TenderInputError: naming the file, the field path (and YAML line), what was found
            and what was expected, for every problem at once.
    """
    path = Path(path)
    folder = path.resolve().parent
    name = display_path(path, folder.parent if folder.name == "criteria" else folder)
    if not os.path.lexists(path):
        raise TenderInputError([Problem(name, "", "no such file", "a tender definition (.yaml)")])
    text = read_text(path, name, MAX_YAML_BYTES)
    node, data = _parse_yaml(text, name)
    if not isinstance(data, dict):
        raise TenderInputError(
            [Problem(name, "", f"a YAML {type(data).__name__}", "a mapping of tender fields")]
        )
    try:
        tender = Tender.model_validate(data)
    except ValidationError as exc:
        raise TenderInputError(_problems_from_validation(name, exc, data, node)) from None
    return tender.with_source(path.resolve())


def _parse_yaml(text: str, name: str) -> tuple[Any, Any]:
    """The composed node tree and the data of a definition's text.

    Raises:
        TenderInputError: for a syntax error, an anchor or alias, nesting too deep or a
            value that cannot be read (a date that does not exist, a 5,000-digit number);
            located by field and line where the document could be composed.
    """
    loader = _SafeNoAliasLoader(text)
    node = None
    try:
        node = loader.get_single_node()
        if loader.anchored:
            anchor, anchored = loader.anchored[0]
            raise _NodeError(
                anchored,
                f"an anchor (&{anchor})",
                "YAML without anchors and aliases (&name, *name)",
            )
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise TenderInputError([_yaml_problem(name, exc, node)]) from None
    finally:
        loader.dispose()
    return node, data


def _yaml_problem(name: str, exc: yaml.YAMLError, tree: Any) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = str(getattr(exc, "problem", None) or exc)
    found = problem.removeprefix("found ")
    syntax = isinstance(exc, (yaml.scanner.ScannerError, yaml.parser.ParserError))
    if syntax and found == problem and problem != "exceeded maximum nesting depth":
        found = f"a syntax error ({problem})"  # libyaml's words say what is missing
    expected = "valid YAML"
    if str(found).endswith("a second time"):
        expected = "each key once in its section"
    if str(found) == "an alias (*name)":
        expected = "YAML without anchors and aliases (&name, *name)"
    if str(found) == "exceeded maximum nesting depth":  # libyaml's scanner, looking ahead
        found = f"more than {MAX_YAML_DEPTH} levels of nesting"
    if str(found).startswith("more than "):
        expected = f"at most {MAX_YAML_DEPTH} levels of nesting"
    if isinstance(exc, _NodeError):
        expected = exc.expected
        field_path = _node_path(tree, exc.node) if tree is not None else None
        line = exc.node.start_mark.line + 1
        where = f"{field_path or 'top level'} (line {line})"
    return Problem(name, where, str(found), expected)


def _node_path(tree: Any, target: Any, path: str = "") -> str | None:
    """The field path ('contract.start') of `target` in the composed `tree`, if found."""
    if tree is target:
        return path
    if isinstance(tree, yaml.MappingNode):
        for key_node, value_node in tree.value:
            for part, child in ((None, key_node), (str(key_node.value), value_node)):
                label = path if part is None else (f"{path}.{part}" if path else part)
                found = _node_path(child, target, label)
                if found is not None:
                    return found
    elif isinstance(tree, yaml.SequenceNode):
        for index, child in enumerate(tree.value):
            found = _node_path(child, target, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def read_text(path: Path, name: str, limit: int) -> str:
    """A small text file's content, refusing one over `limit` bytes or not UTF-8.

    Raises:
        TenderInputError: naming the file (as `name`) and what was wrong.
    """
    with _opened(path, name, "a text file") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            raise TenderInputError(
                [Problem(name, "", f"{size:,} bytes", f"at most {limit:,} bytes")]
            )
        data = _read_or_refuse(handle, name, limit)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TenderInputError(
            [Problem(name, f"byte {exc.start}", "text that is not UTF-8", "a file saved as UTF-8")]
        ) from None


@contextmanager
def _opened(path: Path, name: str, expected: str) -> Iterator[BinaryIO]:
    """An input opened for reading; a folder, FIFO or refused read is a Problem.

    Raises:
        TenderInputError: naming the file and what stands at its path.
    """
    try:
        descriptor = open_regular(path)
    except NotAFileError as exc:
        raise TenderInputError([Problem(name, "", exc.found, expected)]) from None
    except FileNotFoundError:
        raise TenderInputError([Problem(name, "", "no such file", expected)]) from None
    except OSError as exc:
        raise TenderInputError(
            [Problem(name, "", f"a file that cannot be opened ({reason(exc)})", expected)]
        ) from None
    with os.fdopen(descriptor, "rb") as handle:
        yield handle


def _read_or_refuse(handle: BinaryIO, name: str, limit: int) -> bytes:
    try:
        data = handle.read(limit + 1)
    except OSError as exc:
        raise TenderInputError(
            [Problem(name, "", f"a file that cannot be read ({reason(exc)})", "a readable file")]
        ) from None
    if len(data) > limit:
        raise TenderInputError([Problem(name, "", "a file that grew", f"at most {limit:,} bytes")])
    return data


def _problems_from_validation(
    name: str, exc: ValidationError, data: Any, node: Any
) -> list[Problem]:
    problems = []
    for error in _located(exc.errors()):
        where, line = _field_path(error["loc"], data, node)
        if line:
            where = f"{where or 'top level'} (line {line})"
        found, expected = _found_expected(error)
        problems.append(Problem(name, where, found, expected))
    return problems


def _located(errors: list[Any]) -> list[Any]:
    """Errors as located as the model can say: each lot's problems under `lots[i]`."""
    out = []
    for error in errors:
        ctx = error.get("ctx") or {}
        if error["type"] == "tender" and "problems" in ctx:
            out += [
                {"type": "tender", "loc": loc, "ctx": {"found": found, "expected": expected}}
                for loc, found, expected in ctx["problems"]
            ]
        else:
            out.append(error)
    return out


def _field_path(loc: tuple[Any, ...], data: Any, node: Any) -> tuple[str, int | None]:
    """'quality.criteria[1].weight' and its YAML line, skipping union tags in `loc`."""
    path = ""
    line = node.start_mark.line + 1 if node is not None else None
    for position, key in enumerate(loc):
        last = position == len(loc) - 1
        if isinstance(data, list) and isinstance(key, int) and key < len(data):
            path += f"[{key}]"
            data = data[key]
            node = node.value[key] if node is not None else None
        elif isinstance(data, dict) and key in data:
            path += f".{key}" if path else str(key)
            data = data[key]
            node = _mapping_value(node, key)
        elif last or not isinstance(data, dict):
            path += f".{key}" if path else str(key)
            break
        if node is not None:
            line = node.start_mark.line + 1
    return path, line


def _mapping_value(node: Any, key: Any) -> Any:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if str(key_node.value) == str(key):
            return value_node
    return None


def _found_expected(error: Any) -> tuple[str, str]:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "tender":
        return str(ctx["found"]), str(ctx["expected"])
    if kind == "missing":
        return "nothing", f"the required field '{error['loc'][-1]}'"
    if kind == "extra_forbidden":
        return (
            f"unknown field '{error['loc'][-1]}'",
            "only the fields this section defines (check the spelling)",
        )
    if kind == "union_tag_invalid":
        return shorten(ctx.get("tag")), f"one of {ctx.get('expected_tags')}"
    message = str(error["msg"])
    for prefix in ("Input should be ", "Value error, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    value = error.get("input")
    found = (
        f"{shorten(value)} ({type(value).__name__})" if not isinstance(value, dict) else "a mapping"
    )
    return found, message


FIRST_LINE = 2  # a CSV file's first data line, after its header


def read_csv_text(path: Path, name: str) -> pd.DataFrame:
    """A CSV file as text columns, nothing guessed: 'NA' stays 'NA', '007' stays '007'."""
    with _opened(path, name, "a CSV file") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > MAX_CSV_BYTES:
            raise TenderInputError(
                [Problem(name, "", f"{size:,} bytes", f"at most {MAX_CSV_BYTES:,}")]
            )
        frame = _parse_csv(handle, name)
        last = _last_line(handle, size)
    frame.columns = [str(c).strip() for c in frame.columns]
    if len(frame.columns) == 1 and ";" in frame.columns[0]:
        raise TenderInputError(
            [Problem(name, "header", "columns separated by ';'", "columns separated by ','")]
        )
    raise_if(_cut_short(frame, name, last) + _damaged_cells(frame, name))
    return frame


def _last_line(handle: BinaryIO, size: int) -> bytes:
    """The file's last non-blank line (from its last 64 KiB), to see if it was cut short."""
    handle.seek(max(0, size - (1 << 16)))
    tail = handle.read().rstrip(b"\r\n")
    return tail.rsplit(b"\n", 1)[-1]


def _cut_short(frame: pd.DataFrame, name: str, last: bytes) -> list[Problem]:
    """A last row with fewer fields than the header: a file cut in transit.

    pandas fills missing fields with '' silently. Only a last line without quotes is
    judged (a quoted field may span lines), by counting its separators.
    """
    if frame.empty or b'"' in last:
        return []
    fields = last.count(b",") + 1
    if fields >= len(frame.columns):
        return []
    return [
        Problem(
            name,
            f"line {len(frame) + 1} (the last)",
            f"a row of {fields} field{'s' if fields != 1 else ''}",
            f"{len(frame.columns)} fields, as in the header (was the file cut short?)",
        )
    ]


def _damaged_cells(frame: pd.DataFrame, name: str) -> list[Problem]:
    """NUL characters and giant fields: NUL never occurs in text a person typed, and no
    field needs more than Excel's own cell limit."""
    problems = [
        Problem(name, "header", f"a column name with a NUL character: {shorten(c)}", "text")
        for c in frame.columns
        if "\x00" in c
    ]
    if frame.size <= SMALL_TABLE_CELLS:
        # a small table's text, all at once: no NUL in it and no longer than one field
        # may be, no cell can be damaged (seven pandas calls a column otherwise: 40 % of
        # scoring the reference)
        everything = "".join(frame.fillna("").to_numpy().ravel().tolist())
        if "\x00" not in everything and len(everything) <= MAX_FIELD_CHARS:
            return problems
    for column in frame.columns:
        text = frame[column].fillna("")
        bad = text.str.contains("\x00", regex=False) | (text.str.len() > MAX_FIELD_CHARS)
        for index in np.flatnonzero(bad.to_numpy())[:MAX_CELL_PROBLEMS]:
            value = str(text.iat[index])
            found = (
                "a NUL character (binary or damaged data)"
                if "\x00" in value
                else f"a field of {len(value):,} characters"
            )
            problems.append(
                Problem(
                    name,
                    f"line {index + 2}, column {column}",
                    found,
                    f"text of at most {MAX_FIELD_CHARS:,} characters, without NUL",
                )
            )
        if len(problems) >= MAX_CELL_PROBLEMS:
            break
    return problems[:MAX_CELL_PROBLEMS]


def _parse_csv(handle: BinaryIO, name: str) -> pd.DataFrame:
    """The table, nothing guessed: never an index inferred from rows one field too long.

    pandas takes the first column for an index when every row has one field more than the
    header (prices typed with an unquoted thousands comma, 1,000): the ids would then
    silently be the names. index_col=False keeps the columns; the warning pandas gives for
    the extra field becomes the refusal.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(
                handle, dtype=str, keep_default_na=False, encoding="utf-8-sig", index_col=False
            )
    except pd.errors.ParserWarning:
        raise TenderInputError(
            [
                Problem(
                    name,
                    "",
                    "rows with more fields than the header (an unquoted comma, as in 1,000?)",
                    "one field per column: no thousands separator, and quotes around text "
                    "that holds a comma",
                )
            ]
        ) from None
    except OSError as exc:
        raise TenderInputError(
            [Problem(name, "", f"a file that cannot be read ({reason(exc)})", "a readable file")]
        ) from None
    except UnicodeDecodeError:
        raise TenderInputError(
            [
                Problem(
                    name,
                    "",
                    "text that is not UTF-8 (Excel's 'CSV' saves Windows-1252)",
                    "a file saved as 'CSV UTF-8'",
                )
            ]
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise TenderInputError(
            [Problem(name, "", str(exc).strip(), "a comma-separated file with a header row")]
        ) from None


def refuse_whole_lots(tender: Tender) -> None:
    """A definition with lots has no bids of its own: each lot (`Tender.lot`) names its own.

    Raises:
        TenderInputError: naming the lots, and --lot.
    """
    if not tender.lots or tender.this_lot is not None:
        return
    raise lots_refused(
        tender, "one lot of it (--lot L; Tender.lot in code): each lot names its own bids"
    )


def lots_refused(tender: Tender, expected: str) -> TenderInputError:
    """The error for a definition with lots where one tender was expected, naming its lots."""
    name = display_path(tender.source, project_root(tender)) if tender.source else "definition"
    found = f"a definition with lots ({', '.join(tender.lot_ids())})"
    return TenderInputError([Problem(name, "lots", found, expected)])


def read_bids(tender: Tender) -> pd.DataFrame:
    """The bids file with `price` (float, NaN = no price) and `price_amount` (Decimal).

    Raises:
        TenderInputError: for a missing file or a price that is not a plain number.
    """
    frame, problems = parse_bids(tender)
    raise_if(problems)
    return frame


def parse_bids(tender: Tender) -> tuple[pd.DataFrame, list[Problem]]:
    """The bids file, and the prices that are not plain numbers (read as no price).

    Returning those problems instead of raising lets a check go on to the marks files, so
    a user sees every problem at once.

    Raises:
        TenderInputError: for a missing or unreadable file or a missing price column.
    """
    frame, _, problems = parse_priced_bids(tender)
    return frame, problems


def parse_priced_bids(tender: Tender) -> tuple[pd.DataFrame, Pricing | None, list[Problem]]:
    """The bids file, how each evaluated price was reached (None for a price column), and
    the problems that leave a bid without a usable price.

    Raises:
        TenderInputError: for a missing or unreadable file or a missing price column.
    """
    refuse_whole_lots(tender)
    path = tender.resolve(tender.data.bids)
    name = display_path(path, project_root(tender))
    frame = read_csv_text(path, name)
    if tender.price.model.name != "column":
        return _priced_from_file(tender, frame, name)
    column = tender.price.column
    if column not in frame.columns:
        raise TenderInputError(
            [
                Problem(
                    name,
                    "header",
                    f"columns {', '.join(frame.columns)}",
                    f"a price column '{column}' (price.column in the tender definition)",
                )
            ]
        )
    text = frame[column].str.strip()
    problems = []
    amounts: list[Decimal | None] = []
    for position, value in enumerate(text):
        if value == "":
            amounts.append(None)
        elif PLAIN_NUMBER.match(value):
            amounts.append(Decimal(value))
        else:
            amounts.append(None)
            bidder = str(frame["bidder_id"].iat[position]) if "bidder_id" in frame else "?"
            problems.append(
                Problem(
                    name,
                    f"line {position + 2} (bidder {bidder}), column {column}",
                    "a negative value"
                    if PLAIN_NUMBER.match(value.removeprefix("-"))
                    else "a value that is not a plain number",
                    "digits with an optional decimal point, such as 1234.50 (no currency sign, "
                    "no thousands separator), or blank when no price was given",
                )
            )
    if "bidder" in frame.columns:
        frame["bidder"] = clean_names(frame["bidder"])  # cleaned once, here, for every output
    problems += _supplier_details(frame, name)
    frame = _with_prices(frame.drop(columns=[column]), amounts)
    return frame, None, problems


def _with_prices(frame: pd.DataFrame, amounts: list[Decimal | None]) -> pd.DataFrame:
    """`price` (float, NaN = no price) for the formulas and `price_amount` (Decimal) to show."""
    return frame.assign(
        price=pd.Series(
            [float(a) if a is not None else float("nan") for a in amounts], dtype="float64"
        ),
        price_amount=pd.Series(amounts, dtype=object),
    )


def _priced_from_file(
    tender: Tender, frame: pd.DataFrame, bids_name: str
) -> tuple[pd.DataFrame, Pricing | None, list[Problem]]:
    """Evaluated prices from the prices file (`data.prices`) under the schedule or parts.

    A bid the missing-line rule makes non-compliant carries the reason in the bids'
    `excluded_by_decision` column, so every re-scoring carries the exclusion with it.
    Only the pass/fail requirements decide which bids count as compliant for the
    highest-other rule: the prices come before any decision that depends on them.

    Raises:
        TenderInputError: for a prices file that is missing or cannot be read.
    """
    from .compliance import join_reasons, requirement_failures
    from .pricing import price_bids
    from .scoring import DECISION_COLUMN

    spec = tender.price.model
    assert not isinstance(spec, SingleColumn)
    assert tender.data.prices is not None
    if "bidder" in frame.columns:
        frame["bidder"] = clean_names(frame["bidder"])
    problems: list[Problem] = _supplier_details(frame, bids_name)
    column = tender.price.column
    if column in frame.columns:
        problems.append(
            Problem(
                bids_name,
                "header",
                f"a price column '{column}' beside a price model {spec.name}",
                f"no column '{column}': each evaluated price comes from data.prices",
            )
        )
    path = tender.resolve(tender.data.prices)
    name = display_path(path, project_root(tender))
    prices = read_csv_text(path, name)
    ids = list(frame["bidder_id"].astype(str)) if "bidder_id" in frame.columns else []
    present = [r for r in tender.requirements if r.column in frame.columns]
    compliant = (requirement_failures(frame, present) == "").to_numpy(dtype=bool)
    pricing, found = price_bids(spec, ids, compliant, prices, name)
    problems += found
    if pricing is None:
        return _with_prices(frame, [None] * len(frame)), None, problems
    frame = _with_prices(frame, list(pricing.evaluated))
    reasons = pd.Series(list(pricing.reasons), dtype=object)
    if DECISION_COLUMN in frame.columns:  # a decision the bids file records stays, first
        stated = frame[DECISION_COLUMN].fillna("").astype(str).reset_index(drop=True)
        reasons = join_reasons(stated, reasons)
    frame[DECISION_COLUMN] = reasons.to_numpy()
    return frame, pricing, problems


def _supplier_details(frame: pd.DataFrame, name: str) -> list[Problem]:
    """Clean the optional supplier columns in place; a refused detail is read as blank."""
    present = [c for c in SUPPLIER_COLUMNS if c in frame.columns]
    if not present:
        return []
    records, bad = suppliers(frame)
    for column in present:
        frame[column] = [getattr(r, column) for r in records]
    return [
        Problem(
            name,
            f"line {p.position + 2} (bidder {records[p.position].bidder_id}), column {p.column}",
            p.found,
            p.expected,
        )
        for p in bad
    ]


def read_marks(path: Path, name: str) -> pd.DataFrame:
    """Evaluators' marks: bidder_id, criterion_id, evaluator_id, mark[, justification]."""
    return read_csv_text(path, name)


@dataclass(frozen=True)
class Inputs:
    """Everything one evaluation reads, with fingerprints and anything worth a warning."""

    bids: pd.DataFrame
    marks: pd.DataFrame | None
    moderated: pd.DataFrame | None
    names: dict[str, str]
    fingerprints: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    decisions: dict[str, Decision] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    pricing: Pricing | None = None  # how each evaluated price was reached, line by line


def load_inputs(tender: Tender, *, defer_price_problems: bool = False) -> Inputs:
    """Read the bids, marks and moderated marks the definition names.

    A configured moderated-marks file that does not exist yet is not an error: scoring
    falls back to the PROVISIONAL rule and says so. With `defer_price_problems`, prices
    that are not plain numbers are returned in `Inputs.problems` (and read as no price)
    so that the caller can check the other files before reporting them all.

    Raises:
        TenderInputError: every problem in every file found.
    """
    root = project_root(tender)
    names: dict[str, str] = {}
    fingerprints: dict[str, str] = {}
    if tender.source is not None:
        fingerprints[display_path(tender.source, root)] = sha256_file(tender.source)
    warnings: list[str] = []
    problems: list[Problem] = []

    parsed = _collect(lambda: parse_priced_bids(tender), problems)
    bids = parsed[0] if parsed is not None else None
    pricing = parsed[1] if parsed is not None else None
    deferred = parsed[2] if parsed is not None else []
    if not defer_price_problems:
        problems += deferred
        deferred = []
    bids_path = tender.resolve(tender.data.bids)
    names["bids"] = display_path(bids_path, root)

    tables = _mark_tables(tender, root, names, warnings, problems)
    raise_if(problems)
    if tender.data.prices is not None and tender.price.model.name != "column":
        names["prices"] = display_path(tender.resolve(tender.data.prices), root)
    _fingerprint_data(tender, names, fingerprints)
    assert bids is not None
    decisions = _abnormal_price_decisions(tender, bids, names, fingerprints)
    return Inputs(
        bids,
        tables["marks"],
        tables["moderated"],
        names,
        fingerprints,
        warnings,
        decisions,
        deferred,
        pricing,
    )


def _mark_tables(
    tender: Tender,
    root: Path,
    names: dict[str, str],
    warnings: list[str],
    problems: list[Problem],
) -> dict[str, pd.DataFrame | None]:
    """The marks and moderated marks, if named; a moderated file not there yet is a warning."""
    tables: dict[str, pd.DataFrame | None] = {"marks": None, "moderated": None}
    for key in ("marks", "moderated"):
        relative = getattr(tender.data, key)
        if relative is None:
            continue
        path = tender.resolve(relative)
        names[key] = display_path(path, root)
        if key == "moderated" and not path.exists():
            warnings.append(
                f"{names[key]} not found: quality scores are PROVISIONAL "
                "until moderated marks exist"
            )
            continue
        tables[key] = _collect(partial(read_csv_text, path, names[key]), problems)
    return tables


def _fingerprint_data(tender: Tender, names: dict[str, str], fingerprints: dict[str, str]) -> None:
    """SHA-256 of every data file read, keyed by its displayed name, in a fixed order."""
    for key in ("bids", "prices", "marks", "moderated"):
        if key in names and tender.resolve(getattr(tender.data, key)).exists():
            fingerprints[names[key]] = sha256_file(tender.resolve(getattr(tender.data, key)))


def _abnormal_price_decisions(
    tender: Tender, bids: pd.DataFrame, names: dict[str, str], fingerprints: dict[str, str]
) -> dict[str, Decision]:
    """Recorded decisions on abnormal prices; a rejection excludes the bid from ranking.

    The reason is put in the bids table's `excluded_by_decision` column, so every later
    re-scoring (sensitivity, clarifications) carries the exclusion with it.
    """
    from .abnormal import check_decisions
    from .compliance import join_reasons
    from .scoring import ACCEPTED_COLUMN, DECISION_COLUMN

    if tender.data.abnormally_low_decisions is None:
        return {}
    path = tender.resolve(tender.data.abnormally_low_decisions)
    name = display_path(path, project_root(tender))
    names["abnormally_low"] = name
    decisions = check_decisions(read_csv_text(path, name), name, list(bids["bidder_id"]))
    fingerprints[name] = sha256_file(path)
    rejected = {
        bidder: f"rejected after review of its abnormal price: {d.reason}"
        for bidder, d in decisions.items()
        if d.decision == "rejected"
    }
    accepted = {
        bidder: "explanation accepted"
        + (f" on {d.decided_on.isoformat()}" if d.decided_on else "")
        + f": {d.explanation}"
        for bidder, d in decisions.items()
        if d.decision == "accepted"
    }
    decided = pd.Series([rejected.get(bidder, "") for bidder in bids["bidder_id"]], dtype=object)
    if DECISION_COLUMN in bids:  # a missing line's non-compliance, put there by the prices
        decided = join_reasons(bids[DECISION_COLUMN].reset_index(drop=True), decided)
    bids[DECISION_COLUMN] = decided.to_numpy()
    bids[ACCEPTED_COLUMN] = [accepted.get(bidder, "") for bidder in bids["bidder_id"]]
    return decisions


def _collect(read: Callable[[], Read], problems: list[Problem]) -> Read | None:
    try:
        return read()
    except TenderInputError as exc:
        problems.extend(exc.problems)
        return None
