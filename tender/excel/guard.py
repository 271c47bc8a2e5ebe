"""Pre-parse guard for workbooks that come from outside (returned templates).

Every check here runs on the zip directory and the raw XML bytes, before any spreadsheet
parser sees the file: zip bombs, overlapping entries, macros and external links, encrypted
or legacy files, DTDs and entities (billion laughs, XXE), giant tokens, cells far outside
the expected shape and formulas. A file that passes yields a `Package` of its parts; one
that does not raises `Refused` naming the file, the part (or cell) and what was expected.
"""

from __future__ import annotations

import bisect
import io
import re
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from ..errors import Problem, TenderInputError, shorten
from . import sheet_scan

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
OTHER_FORMATS = {
    ".xls": "a legacy .xls workbook",
    ".xlsm": "a macro-enabled workbook (.xlsm)",
    ".xlsb": "a binary workbook (.xlsb)",
    ".ods": "an OpenDocument spreadsheet (.ods)",
    ".csv": "a CSV file",
    ".numbers": "a Numbers file",
}
SAVE_AS = "an Excel Workbook (.xlsx): open it and use File > Save As > Excel Workbook"
SAVE_UNENCRYPTED = (
    "an unencrypted Excel Workbook (.xlsx): open it, remove the password and use "
    "File > Save As > Excel Workbook"
)
FORBIDDEN_PARTS = (
    ("vbaproject", "macros (a VBA project)"),
    ("externallink", "links to other workbooks"),
    ("connections.xml", "external data connections"),
    ("embeddings/", "embedded files"),
    ("activex", "ActiveX controls"),
    ("macrosheets/", "Excel 4 macro sheets"),
    ("customui", "custom ribbon code"),
)
NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_DECLARATIONS = re.compile(rb"<!|<\?(?!xml[\s?])")  # DTD, entity, comment, CDATA, PI
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_CELL = re.compile(rb"<c\b[^>]*?\br=\"([A-Z]{1,3})([0-9]{1,7})\"")
_ROW_FAST = re.compile(rb"<row r=\"([0-9]{1,7})\"")  # r first, as Excel writes it
# Anything but `<c r="A1"` / `<row r="1"` exactly (another first attribute, other spacing, a
# lower-case or malformed reference) sends the sheet to the one-by-one check.
_R_NOT_FIRST = re.compile(
    rb"<(?:c|row)(?=[\s>/])(?! r=\"[A-Z]{0,3}[0-9]{1,7}\")|<c r=\"[0-9]|<row r=\"[A-Z]"
)
# Cells and rows under a prefix (another namespace); a prefixed <xm:f> is an extension's
# reference, not a cell's formula, and is left to the checks below and to the reader.
_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]*:(?:c|row|dimension|sheetData)[\s>/]")
_CONDITIONAL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?conditionalFormatting[\s>/]")
_ANCHOR = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?(?:twoCellAnchor|oneCellAnchor|absoluteAnchor)[\s>/]"
)
_SQREF = re.compile(rb'(?:sqref="|<xm:sqref>)([A-Z0-9: ]{1,200})')
_VML_SHAPE = re.compile(rb"<v:shape\b[^>]*>", re.IGNORECASE)
_ANY_CELL = re.compile(rb"<c[\s>/]")
_ROW = re.compile(rb"<row\b[^>]*?\br=\"([0-9]{1,7})\"")
_ANY_ROW = re.compile(rb"<row[\s>/]")
_DIMENSION = re.compile(rb"<dimension\b[^>]*?\bref=\"([^\"]{0,40})\"")
_FORMULA = re.compile(rb"<f[\s>/]")
_CELL_START = re.compile(rb"<c\b[^>]*?\br=\"([A-Z]{1,3}[0-9]{1,7})\"")
_MERGE = re.compile(rb"<mergeCell\b[^>]*?\bref=\"([^\"]{0,40})\"")
_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>([^<]{1,40})</dcterms:modified>")
_REF = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")


@dataclass(frozen=True)
class Limits:
    """What a vetted file may contain. Defaults fit a 200 × 25 template with long texts."""

    max_file_bytes: int = 25 << 20
    max_part_bytes: int = 48 << 20
    max_total_bytes: int = 96 << 20
    max_parts: int = 200
    max_ratio: float = 100.0
    ratio_applies_above: int = 1 << 20
    max_tag_bytes: int = 64 << 10
    max_text_bytes: int = 200 << 10
    max_rows: int = 20_000
    max_columns: int = 40
    max_styles: int = 65_536  # cell formats: Excel allows about 64,000
    allow_formulas: bool = False

    @property
    def max_cells(self) -> int:
        """Cells one sheet, or strings one workbook, may hold: the template's shape."""
        return self.max_rows * self.max_columns


class Refused(TenderInputError):
    """A file refused before parsing; `problems` says why."""


@dataclass
class Package:
    """The parts of a vetted workbook, with its sheets by name (in workbook order)."""

    name: str
    data: bytes
    parts: dict[str, bytes]
    sheets: dict[str, str] = field(default_factory=dict)  # sheet name → part path
    states: dict[str, str] = field(default_factory=dict)  # sheet name → visible/hidden/...
    modified: str | None = None  # docProps/core.xml dcterms:modified, as claimed by the file
    shared_strings: str | None = None  # part path of the shared strings, if any
    # each sheet part's rows and cells as the guard scanned them (None: left to the parser)
    scans: dict[str, sheet_scan.Scanned | None] = field(default_factory=dict)
    styles: str | None = None  # part path of the styles, if any
    date1904: bool = False  # the workbook counts dates from 1904

    def sheet_xml(self, sheet: str) -> bytes:
        """The raw XML of a worksheet by its name."""
        return self.parts[self.sheets[sheet]]


def refuse(name: str, where: str, found: str, expected: str) -> Refused:
    """A `Refused` with one problem."""
    return Refused([Problem(name, where, found, expected)])


def vet(data: bytes, name: str, limits: Limits | None = None) -> Package:
    """Check a workbook's bytes before parsing; return its parts.

    Raises:
        Refused: for anything a workbook written by this tool (and re-saved by Excel or
            LibreOffice) never contains, or that could exhaust memory or time.
    """
    limits = limits or Limits()
    _check_container(data, name, limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        ValueError,
        EOFError,
        NotImplementedError,  # a damaged header can claim an unknown zip version
        RuntimeError,
    ):
        raise refuse(
            name, "", "a damaged or truncated zip archive", "a complete .xlsx file"
        ) from None
    _check_directory(infos, name, limits)
    parts = _read_parts(archive, infos, name)
    for part, content in parts.items():
        if part.endswith((".xml", ".rels", ".vml")):
            _check_xml(content, name, part, limits)
        _check_drawing(content, name, part)
    package = Package(name, data, parts)
    _map_sheets(package)
    for sheet, part in package.sheets.items():
        package.scans[part] = sheet_scan.scan(parts[part])
        _check_sheet(parts[part], name, sheet, limits, package.scans[part])
    _check_counts(package, limits)
    core = parts.get("docProps/core.xml")
    if core is not None:
        match = _MODIFIED.search(core)
        package.modified = match.group(1).decode("ascii", "replace") if match else None
    return package


def _check_container(data: bytes, name: str, limits: Limits) -> None:
    if len(data) > limits.max_file_bytes:
        raise refuse(
            name, "", f"a file of {len(data):,} bytes", f"at most {limits.max_file_bytes:,} bytes"
        )
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    if data.startswith(OLE2_MAGIC):
        raise refuse(
            name,
            "",
            "an encrypted (password-protected) workbook or a legacy .xls file",
            SAVE_UNENCRYPTED,
        )
    if suffix and suffix != ".xlsx":
        raise refuse(name, "", OTHER_FORMATS.get(suffix, f"a {suffix} file"), SAVE_AS)
    if not data.startswith(ZIP_MAGIC):
        raise refuse(name, "", "a file that is not an Excel workbook", SAVE_AS)


def _check_directory(infos: list[zipfile.ZipInfo], name: str, limits: Limits) -> None:
    if len(infos) > limits.max_parts:
        raise refuse(name, "", f"{len(infos)} parts", f"at most {limits.max_parts}")
    names: set[str] = set()
    offsets: set[int] = set()
    total = 0
    _check_names(infos, name)
    for info in infos:
        part = info.filename
        if part in names or info.header_offset in offsets:
            raise refuse(
                name, part, "two zip entries sharing a name or data", "each part stored once"
            )
        names.add(part)
        offsets.add(info.header_offset)
        if info.flag_bits & 0x1:
            raise refuse(name, part, "an encrypted part", SAVE_UNENCRYPTED)
        lowered = part.lower()
        for marker, what in FORBIDDEN_PARTS:
            if marker in lowered:
                raise refuse(name, part, what, "a workbook without macros or external content")
        if info.file_size > limits.max_part_bytes:
            raise refuse(
                name,
                part,
                f"a part expanding to {info.file_size:,} bytes",
                f"at most {limits.max_part_bytes:,} bytes",
            )
        if info.file_size > limits.ratio_applies_above and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise refuse(
                name,
                part,
                f"a part compressed {info.file_size / max(info.compress_size, 1):,.0f} to 1",
                f"at most {limits.max_ratio:g} to 1 (a zip bomb?)",
            )
        total += info.file_size
    if total > limits.max_total_bytes:
        raise refuse(
            name,
            "",
            f"parts expanding to {total:,} bytes",
            f"at most {limits.max_total_bytes:,} bytes in all",
        )
    if "xl/workbook.xml" not in names:
        raise refuse(name, "", "a zip archive without xl/workbook.xml", SAVE_AS)


def _check_names(infos: list[zipfile.ZipInfo], name: str) -> None:
    """Part names a reader cannot resolve differently: plain, and unique in any letter case."""
    folded: dict[str, str] = {}
    for info in infos:
        part = info.filename
        if not is_canonical(part.rstrip("/") if info.is_dir() else part):
            raise refuse(
                name,
                shorten(part),
                "a part name that is not plain (a '.' or '..' segment, a backslash, "
                "percent-encoding or an unusual character)",
                "part names as Excel writes them, such as xl/worksheets/sheet1.xml",
            )
        other = folded.setdefault(part.casefold(), part)
        if other != part:
            raise refuse(
                name,
                shorten(part),
                f"two parts whose names differ only in letter case ({shorten(other)})",
                "each part stored once",
            )


def _read_parts(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], name: str
) -> dict[str, bytes]:
    parts: dict[str, bytes] = {}
    for info in infos:
        if info.is_dir():
            continue
        try:
            # zipfile never yields more than the declared (already capped) size.
            parts[info.filename] = archive.read(info)
        except (
            zipfile.BadZipFile,
            zlib.error,
            OSError,
            EOFError,
            ValueError,
            NotImplementedError,
            RuntimeError,
        ):
            raise refuse(
                name,
                info.filename,
                "a damaged part (bad checksum or data)",
                "a complete .xlsx file",
            ) from None
    content_types = parts.get("[Content_Types].xml", b"")
    if b"macroEnabled" in content_types or b"vbaProject" in content_types:
        raise refuse(name, "[Content_Types].xml", "a macro-enabled workbook", SAVE_AS)
    return parts


_ENCODING = re.compile(
    rb"^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding=[\"']([^\"']{0,40})", re.IGNORECASE
)


def _check_xml(content: bytes, name: str, part: str, limits: Limits) -> None:
    # The scans below read bytes: they are sound only for UTF-8, which Excel always writes.
    declared = _ENCODING.match(content)
    if b"\x00" in content or (declared and declared.group(1).lower() not in (b"utf-8", b"utf8")):
        raise refuse(name, part, "XML in an encoding other than UTF-8", "a workbook saved by Excel")
    if _DECLARATIONS.search(content) is None:
        pass  # the usual case: one scan for all of the below
    elif _DTD.search(content):
        raise refuse(
            name, part, "a DTD or entity declaration", "plain XML as Excel writes it (no DTD)"
        )
    else:
        raise refuse(
            name,
            part,
            "XML comments, CDATA or processing instructions",
            "plain XML as Excel writes it",
        )
    longest_tag, longest_text = _longest_runs(content)
    if longest_tag >= limits.max_tag_bytes:
        raise refuse(
            name,
            part,
            "an XML tag longer than the limit",
            f"tags under {limits.max_tag_bytes:,} bytes",
        )
    if longest_text >= limits.max_text_bytes:
        raise refuse(
            name,
            part,
            "a text run longer than the limit",
            f"texts under {limits.max_text_bytes:,} bytes (Excel allows 32,767 characters a cell)",
        )


def _longest_runs(content: bytes) -> tuple[int, int]:
    """The most bytes after a '<' and after a '>' before the next '<' or '>' (or the end):
    the longest tag and the longest text run, found from the delimiters' positions.

    The same test as searching for '<' (or '>') followed by that many other bytes, which
    a regular expression does a byte at a time: this looks at each byte once, in numpy.
    """
    if len(content) < 1 << 16:  # a part too small for either limit to matter much
        found = re.findall(rb"([<>])([^<>]*)", content)
        tags = [len(r) for d, r in found if d == b"<"]
        texts = [len(r) for d, r in found if d == b">"]
        return max(tags, default=0), max(texts, default=0)
    import numpy as np

    codes = np.frombuffer(content, dtype=np.uint8)
    less, greater = np.flatnonzero(codes == ord("<")), np.flatnonzero(codes == ord(">"))
    if (
        less.size
        and less.size == greater.size
        and (less < greater).all()
        and (greater[:-1] < less[1:]).all()
    ):  # < > < > ... as in any well-formed part: each run ends at the other delimiter
        last = len(content) - int(greater[-1])  # the text after the last '>'
        text_run = max(int((less[1:] - greater[:-1]).max(initial=1)), last) - 1
        return int((greater - less).max()) - 1, text_run
    at = np.flatnonzero((codes == ord("<")) | (codes == ord(">")))
    if not at.size:
        return 0, 0
    runs = np.diff(at, append=len(content)) - 1
    opens = codes[at] == ord("<")
    longest_tag = int(runs[opens].max()) if opens.any() else 0
    longest_text = int(runs[~opens].max()) if not opens.all() else 0
    return longest_tag, longest_text


_PLAIN_SEGMENT = re.compile(r"\.?[A-Za-z0-9_\-\[\]]+(?:\.[A-Za-z0-9_\-\[\]]+)*")
REL_TYPES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
# Relationship types that bring code or outside content into a workbook, whatever the
# part they point at is called.
FORBIDDEN_RELATIONSHIPS = (
    ("vbaProject", "macros (a VBA project)"),
    ("oleObject", "embedded objects"),
    ("package", "embedded files"),
    ("externalLink", "links to other workbooks"),
    ("attachedTemplate", "a link to a template"),
    ("connections", "external data connections"),
    ("control", "ActiveX controls"),
)


def is_canonical(part: str) -> bool:
    """True for a part name as Excel writes it: plain ASCII segments, no '.', '..' or '%'."""
    return bool(part) and all(_PLAIN_SEGMENT.fullmatch(seg) for seg in part.split("/"))


def parse_xml(package: Package, part: str):  # type: ignore[no-untyped-def]
    """Parse one vetted part (no DTD can reach here; defusedxml is a second layer)."""
    return _parse(package.parts[part], package.name, part)


def _check_drawing(content: bytes, name: str, part: str) -> None:
    """Nothing may be drawn over the cells: a shape, picture or chart can show a mark that
    is not the one stored. Notes stay, hidden until pointed at (LibreOffice and Excel keep
    them as VML shapes with visibility:hidden); an empty drawing (LibreOffice writes one
    with a filter) is nothing."""
    if part.endswith(".xml") and "drawings/" in part and _ANCHOR.search(content):
        raise refuse(
            name,
            part,
            "a shape, picture or chart drawn over the sheet",
            "the sheet as issued, with nothing drawn over its cells",
        )
    if part.endswith(".vml"):
        for shape in _VML_SHAPE.findall(content):
            if b"visibility:hidden" not in shape.replace(b" ", b""):
                raise refuse(
                    name,
                    part,
                    "a note or shape shown over the sheet",
                    "notes hidden until pointed at, as Excel adds them (Hide Comment)",
                )


def _parse(content: bytes, name: str, part: str):  # type: ignore[no-untyped-def]
    try:
        return SafeET.fromstring(content)
    except (DefusedXmlException, SafeET.ParseError, ValueError) as exc:
        raise refuse(name, part, f"damaged XML ({exc})", "a workbook saved by Excel") from None


def _relationships(
    package: Package, rels_part: str, folder: str, *, upward: bool = False
) -> dict[str, tuple[str, str]]:
    """Id → (type, part path) of one relationships part, each target resolved and plain.

    A target is resolved against `folder` without normalising: one that would need it
    ('.', '..' inside the path, '//', a backslash, percent-encoding) is refused, so every
    reader of the package finds the part the guard vetted. With `upward`, leading '../'
    steps are allowed (Excel and LibreOffice point a sheet at its drawings and comments
    that way) and resolved here, once; the result must still be plain and in the file.
    """
    name = package.name
    rels = _parse(package.parts[rels_part], name, rels_part)
    found: dict[str, tuple[str, str]] = {}
    for rel in rels.iter(f"{NS_PKG_REL}Relationship"):
        kind = rel.get("Type", "")
        for marker, what in FORBIDDEN_RELATIONSHIPS:
            if kind.endswith("/" + marker):
                raise refuse(name, rels_part, what, "a workbook without macros or external content")
        if rel.get("TargetMode") == "External":
            raise refuse(name, rels_part, "a link to an external resource", "no external links")
        target = rel.get("Target", "")
        path = _resolve(target, folder, upward=upward)
        if path is None or (upward and path not in package.parts):
            raise refuse(
                name,
                rels_part,
                f"a relationship to {shorten(target)}",
                "a plain part name, such as worksheets/sheet1.xml, of a part in the file",
            )
        ident = rel.get("Id", "")
        if ident in found:
            raise refuse(name, rels_part, f"two relationships with id {shorten(ident)}", SAVE_AS)
        found[ident] = (kind, path)
    return found


def _resolve(target: str, folder: str, *, upward: bool) -> str | None:
    """The part a relationship target names, or None when it is not plain."""
    if target.startswith("/"):
        path = target[1:]
    else:
        base = [segment for segment in folder.split("/") if segment]
        rest = target
        while upward and rest.startswith("../") and base:
            base.pop()
            rest = rest[3:]
        path = "/".join([*base, rest])
    return path if is_canonical(path) else None


def _check_all_relationships(package: Package) -> None:
    """Every relationships part, not only the workbook's: no code, no outside links.

    A sheet's own relationships (drawings, comments, printer settings) may step up with
    '../'; the package's and the workbook's may not.
    """
    for part in package.parts:
        if part.endswith(".rels"):
            folder = part[: part.rfind("_rels/")]
            upward = part not in ("_rels/.rels", "xl/_rels/workbook.xml.rels")
            _relationships(package, part, folder, upward=upward)


def _map_sheets(package: Package) -> None:
    """Sheet names to their part paths, through workbook.xml and its relationships."""
    _check_all_relationships(package)
    _check_main_document(package)
    workbook = _parse(package.parts["xl/workbook.xml"], package.name, "xl/workbook.xml")
    targets = _workbook_links(package)
    package.date1904 = _date1904(package, workbook)
    _map_sheet_parts(package, workbook, targets)


def _check_main_document(package: Package) -> None:
    """The package's one main document is the workbook at xl/workbook.xml."""
    name = package.name
    root_rels = "_rels/.rels"
    if root_rels not in package.parts:
        raise refuse(name, root_rels, "no such part", "a workbook saved by Excel")
    documents = [
        path
        for kind, path in _relationships(package, root_rels, "").values()
        if kind == REL_TYPES + "officeDocument"
    ]
    if documents != ["xl/workbook.xml"]:
        raise refuse(
            name,
            root_rels,
            "a main document at " + (", ".join(shorten(d) for d in documents) or "no part"),
            "the workbook at xl/workbook.xml",
        )


def _workbook_links(package: Package) -> dict[str, tuple[str, str]]:
    """The workbook's relationships by id, after setting its shared strings and styles
    parts: at most one of each, and only to a part that is there."""
    name = package.name
    rels_part = "xl/_rels/workbook.xml.rels"
    if rels_part not in package.parts:
        raise refuse(name, rels_part, "no such part", "a workbook saved by Excel")
    targets = _relationships(package, rels_part, "xl/")
    for kind, attribute in (("sharedStrings", "shared_strings"), ("styles", "styles")):
        paths = [p for k, p in targets.values() if k == REL_TYPES + kind]
        if len(paths) > 1 or any(p not in package.parts for p in paths):
            raise refuse(name, rels_part, f"a damaged link to the {kind} part", SAVE_AS)
        setattr(package, attribute, paths[0] if paths else None)
    return targets


def _date1904(package: Package, workbook: Element) -> bool:
    """Whether the workbook counts dates from 1904; any value but on or off is refused."""
    properties = workbook.find(f"{NS_MAIN}workbookPr")
    system = None if properties is None else properties.get("date1904")
    if system not in (None, "0", "1", "false", "true"):
        raise refuse(
            package.name,
            "xl/workbook.xml",
            f"a date system {shorten(system)}",
            "1904 on or off (1 or 0)",
        )
    return system in ("1", "true")


def _map_sheet_parts(
    package: Package, workbook: Element, targets: dict[str, tuple[str, str]]
) -> None:
    """Each sheet's part and state, by its name: a worksheet part of its own that is there."""
    name = package.name
    sheets = workbook.find(f"{NS_MAIN}sheets")
    used: set[str] = set()
    for sheet in sheets if sheets is not None else []:
        title = sheet.get("name", "")
        kind, path = targets.get(sheet.get(f"{NS_REL}id", ""), ("", ""))
        if path not in package.parts:
            raise refuse(
                name, "xl/workbook.xml", f"sheet {shorten(title)} without its part", SAVE_AS
            )
        if kind != REL_TYPES + "worksheet" or not re.fullmatch(r"xl/worksheets/[^/]+\.xml", path):
            raise refuse(
                name,
                "xl/workbook.xml",
                f"sheet {shorten(title)} stored as {shorten(path)}",
                "a worksheet under xl/worksheets/",
            )
        if title in package.sheets or path in used:
            raise refuse(
                name, "xl/workbook.xml", f"two sheets named {shorten(title)} or sharing a part",
                SAVE_AS,
            )  # fmt: skip
        used.add(path)
        package.sheets[title] = path
        package.states[title] = sheet.get("state", "visible")


_ANY_XF = re.compile(rb"<xf[\s>/]")
_ANY_STRING = re.compile(rb"<si[\s>/]")


def _check_counts(package: Package, limits: Limits) -> None:
    """Element counts that bound what any parser allocates, counted before parsing."""
    counted = [
        (part, what, pattern, most)
        for part, what, pattern, most in (
            (package.styles, "cell formats", _ANY_XF, limits.max_styles),
            (package.shared_strings, "shared strings", _ANY_STRING, limits.max_cells),
        )
        if part is not None
    ]
    counted += [
        (part, f"cells in sheet {sheet!r}", _ANY_CELL, limits.max_cells)
        for sheet, part in package.sheets.items()
    ]
    for part, what, pattern, most in counted:
        rows = _scanned_rows(package.scans.get(part))
        if rows is not None and pattern is _ANY_CELL:
            found = len(rows.letters)  # every cell of the sheet is a scanned one
        else:
            found = len(pattern.findall(package.parts[part]))  # counted in C, not one by one
        if found > most:
            raise refuse(package.name, part, f"{found:,} {what}", f"at most {most:,}")


def _scanned_rows(scanned: sheet_scan.Scanned | None) -> sheet_scan.Placed | None:
    """The rows and cells of a scanned sheet when they are all of its rows and cells: every
    token placed, and no cell, row or formula in its skeleton (where Excel writes none)."""
    rows = None if scanned is None else scanned.rows
    if scanned is None or rows is None:
        return None
    skeleton = scanned.skeleton
    if _ANY_CELL.search(skeleton) or _ANY_ROW.search(skeleton) or _FORMULA.search(skeleton):
        return None
    return rows


def _check_sheet(
    xml: bytes, name: str, sheet: str, limits: Limits, scanned: sheet_scan.Scanned | None = None
) -> None:
    """Far cells, huge dimensions and formulas, found without parsing the sheet.

    When the sheet's rows and cells were all scanned (`_scanned_rows`), what the scans of
    the whole sheet below look for is read from the tokens instead (`_check_scanned`).
    """
    max_col = layout_columns(limits.max_columns)
    for dimension in _DIMENSION.finditer(xml):  # every one: a second may follow the first
        for ref in dimension.group(1).decode("ascii", "replace").split(":"):
            _check_ref(ref, name, sheet, limits, max_col, "the sheet's used range")
    conditional = _CONDITIONAL.search(xml) if b"conditionalFormatting" in xml else None
    if conditional:
        area = _SQREF.search(xml, conditional.start())
        shown = area.group(1).decode("ascii", "replace").split()[0] if area else ""
        raise refuse(
            name,
            f"{sheet}!{shown}" if shown else sheet,
            "conditional formatting (it can change what a cell shows: its number, colour or "
            "a data bar in place of the value)",
            "the sheet as issued: remove the conditional formatting and save again",
        )
    rows = _scanned_rows(scanned)
    if _PREFIXED.search(xml if scanned is None or rows is None else scanned.skeleton):
        raise refuse(
            name, sheet, "cells written with a namespace prefix", "a workbook saved by Excel"
        )
    if rows is not None:
        _check_scanned(rows, name, sheet, limits, max_col)
        return
    if _R_NOT_FIRST.search(xml) is None:
        _check_refs_fast(xml, name, sheet, limits, max_col)
    else:
        _check_refs_each(xml, name, sheet, limits, max_col)
    if not limits.allow_formulas:
        found = formula_cells(xml)
        if found:
            raise Refused(
                [
                    Problem(
                        name,
                        f"{sheet}!{ref}",
                        "a formula",
                        "a value typed in (formulas are not read)",
                    )
                    for ref in found[:20]
                ]
            )


def _check_refs_fast(xml: bytes, name: str, sheet: str, limits: Limits, max_col: str) -> None:
    """Every row and cell reference, as Excel writes them (r first), in two scans.

    Rows are bounded exactly; cells by the number of digits of the row limit (at most ten
    times it) and by column, which bounds what any parser allocates.
    """
    rows = _ROW_FAST.findall(xml)
    if rows and max(map(int, rows)) > limits.max_rows:
        far = max(map(int, rows))
        raise refuse(
            name, f"{sheet}!row {far}", "a row far outside the template",
            f"at most {limits.max_rows:,} rows",
        )  # fmt: skip
    digits = len(str(limits.max_rows)) + 1
    pattern = rb'<c r="(?:[A-Z]{1,3}[0-9]{%d}|%s[0-9])' % (digits, _beyond(max_col))
    far_cell = re.search(pattern, xml)
    if far_cell:
        ref = _CELL_START.match(xml, far_cell.start())
        shown = ref.group(1).decode() if ref else "?"
        raise refuse(
            name, f"{sheet}!{shown}", "a cell far outside the template",
            f"columns A to {max_col}, rows up to {limits.max_rows:,}",
        )  # fmt: skip


def _check_scanned(
    rows: sheet_scan.Placed, name: str, sheet: str, limits: Limits, max_col: str
) -> None:
    """`_check_refs_fast` and the formula check, read from a sheet's scanned rows and cells
    (`_scanned_rows`): the same refusals, for the same cells, without a scan of the sheet.

    Each token is `<c r="A1"` or `<row r="1"` with r first and nothing prefixed, and none
    holds a formula; the rows rise, so the last is the farthest; every cell carries its
    row's number, so once the rows are within the limit only a column can be far.
    """
    if rows.numbers and rows.numbers[-1] > limits.max_rows:
        raise refuse(
            name, f"{sheet}!row {rows.numbers[-1]}", "a row far outside the template",
            f"at most {limits.max_rows:,} rows",
        )  # fmt: skip
    widest = sheet_scan.column_index(max_col)
    if rows.columns and max(rows.columns) > widest:
        cell = next(i for i, column in enumerate(rows.columns) if column > widest)
        row = bisect.bisect_right(list(accumulate(rows.counts)), cell)
        raise refuse(
            name, f"{sheet}!{rows.letters[cell]}{rows.numbers[row]}",
            "a cell far outside the template",
            f"columns A to {max_col}, rows up to {limits.max_rows:,}",
        )  # fmt: skip


def _beyond(max_col: str) -> bytes:
    """A regex for column letters after `max_col` ('AN' → 3 letters, [B-Z]x, A[O-Z])."""
    options = [b"[A-Z]{%d}" % (len(max_col) + 1)] if len(max_col) < 3 else []
    for position, letter in enumerate(max_col):
        if letter < "Z":
            rest = b"[A-Z]" * (len(max_col) - position - 1)
            head = max_col[:position].encode()
            options.append(head + b"[" + chr(ord(letter) + 1).encode() + b"-Z]" + rest)
    return b"(?:" + b"|".join(options) + b")" if options else b"(?!)"


def _check_refs_each(xml: bytes, name: str, sheet: str, limits: Limits, max_col: str) -> None:
    """The general case: attributes in any order; every reference extracted and checked."""
    rows = _ROW.findall(xml)
    if len(rows) != len(_ANY_ROW.findall(xml)):
        raise refuse(name, sheet, "rows without a row number", "a workbook saved by Excel")
    if rows and max(int(r) for r in rows) > limits.max_rows:
        far = max(int(r) for r in rows)
        raise refuse(
            name, f"{sheet}!row {far}", "a row far outside the template",
            f"at most {limits.max_rows:,} rows",
        )  # fmt: skip
    cells = _CELL.findall(xml)
    if len(cells) != len(_ANY_CELL.findall(xml)):
        raise refuse(name, sheet, "cells without a cell reference", "a workbook saved by Excel")
    for letters, digits in cells:
        _check_ref((letters + digits).decode(), name, sheet, limits, max_col, "a cell")


def _check_ref(ref: str, name: str, sheet: str, limits: Limits, max_col: str, what: str) -> None:
    match = _REF.match(ref)
    if match is None:
        raise refuse(name, sheet, f"{what} {ref!r}", "a cell reference such as G5001")
    letters, digits = match.groups()
    too_wide = len(letters) > len(max_col) or (len(letters) == len(max_col) and letters > max_col)
    if too_wide or int(digits) > limits.max_rows:
        raise refuse(
            name,
            f"{sheet}!{ref}",
            f"{what} reaching {ref}",
            f"at most column {max_col} and row {limits.max_rows:,}",
        )


def formula_cells(xml: bytes, limit: int = 20) -> list[str]:
    """References of the first `limit` cells holding a formula, in sheet order.

    Each search back for the cell stops at the previous formula, so the work stays linear.
    """
    found = []
    previous = 0
    for match in _FORMULA.finditer(xml):
        start = xml.rfind(b"<c ", previous, match.start())
        cell = _CELL_START.match(xml, start) if start >= 0 else None
        found.append(cell.group(1).decode() if cell else "?")
        previous = match.end()
        if len(found) >= limit:
            break
    return found


def require_as_issued(package: Package, sheets: Sequence[str]) -> None:
    """Each of `sheets` visible and without merged cells, as the tool issued it.

    Raises:
        Refused: naming the first sheet (or merged range) that is not.
    """
    for sheet in sheets:
        if package.states.get(sheet) != "visible":
            raise refuse(
                package.name,
                sheet,
                f"a sheet that is {package.states.get(sheet)}",
                "the sheet visible, as issued (unhide it and save again)",
            )
        merged = merged_ranges(package.sheet_xml(sheet))
        if merged:
            raise refuse(
                package.name, f"{sheet}!{merged[0]}", "merged cells", "cells as issued, unmerged"
            )


def merged_ranges(xml: bytes) -> list[str]:
    """Merged ranges declared in a sheet."""
    return [m.decode("ascii", "replace") for m in _MERGE.findall(xml)]


def layout_columns(count: int) -> str:
    """Letters of the last allowed column."""
    letters = ""
    while count:
        count, rest = divmod(count - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
