"""Files on disk: the one gate every write passes, atomic writes, reproducible packages,
and bounded reads of folders nobody vetted.

Standard library only (no pandas, no scoring), so every adapter can use it.

Every command that writes names all its targets to `check_targets` before it writes
anything. A target is refused when it is an input of the run (the same path, or the same
file by inode under another name or a hard link), a symbolic link, something other than a
regular file (a folder, a FIFO), or outside the tender's folders (the project root holding
criteria/, bids/ and reports/) unless the user named it on the command line. Outputs are
then written to a temporary file beside the target, flushed to disk and renamed into place,
so a failed run leaves earlier files whole.

A folder of returns is untrusted: `list_folder` lstats every entry (links never followed)
and `read_regular` opens a file without following a link, checks the open descriptor is a
regular file and reads at most limit + 1 bytes, so a link, a FIFO, a device or a file that
grows while it is read can neither hang the run nor exhaust its memory.
"""

from __future__ import annotations

import errno
import io
import os
import re
import stat
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NamedTuple

from .errors import Problem, TenderError, TenderInputError

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FIXED_ISO_TIME = "1980-01-01T00:00:00Z"
FIXED_TIME = datetime(*FIXED_ZIP_TIME, tzinfo=UTC)
SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"  # the reproducible-builds convention's variable


def source_date() -> datetime | None:
    """The time a reproducible build fixes, from SOURCE_DATE_EPOCH (whole seconds since
    1970-01-01 00:00 UTC), or None when it is unset or empty.

    Raises:
        TenderInputError: naming the variable, when it is set to anything else.
    """
    raw = os.environ.get(SOURCE_DATE_EPOCH, "").strip()
    if not raw:
        return None
    expected = "a whole number of seconds since 1970-01-01 00:00 UTC, e.g. 1781049600"
    if not re.fullmatch(r"[0-9]{1,12}", raw):
        raise TenderInputError(
            [Problem("environment", SOURCE_DATE_EPOCH, repr(raw[:40]), expected)]
        )
    try:
        return datetime.fromtimestamp(int(raw), UTC)
    except (OverflowError, OSError, ValueError):
        raise TenderInputError(
            [Problem("environment", SOURCE_DATE_EPOCH, f"{raw} (out of range)", expected)]
        ) from None


def document_time(own: date | None) -> datetime | None:
    """The created and modified time a document states: SOURCE_DATE_EPOCH when set, else the
    document's own date (a report's meeting, a letter's sending) at 00:00 UTC, else None
    (no date is stated rather than one made up). The same inputs give the same bytes."""
    fixed = source_date()
    if fixed is not None:
        return fixed
    return None if own is None else datetime(own.year, own.month, own.day, tzinfo=UTC)


def iso_time(when: datetime) -> str:
    """A time as W3CDTF / XMP write it, in UTC: '2016-12-13T00:00:00Z'."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class OutputRefused(TenderInputError):
    """The write gate refused one or more targets; nothing was written."""


class OutputLockedError(TenderError):
    """An output file could not be replaced (typically: open in Excel on Windows)."""


def write_atomic(path: Path, data: bytes, *, sync_folder: bool = True) -> None:
    """Write `data` to `path` via a temporary file in the same folder and a rename, the
    file synced before the rename and, unless the caller syncs it once for many files
    (`sync_folder`), the folder after.

    Raises:
        OutputLockedError: when the rename is refused; the new content is kept beside it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, 0o640)
    except BaseException:
        os.unlink(temp)
        raise
    try:
        os.replace(temp, path)
    except PermissionError:
        raise OutputLockedError(
            f"{path}: could not be replaced (is it open in Excel? close it and run again); "
            f"the new version is in {temp}"
        ) from None
    if sync_folder:
        _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


# zlib's level 3: python-docx's template brings 790 kB of styles to every DOCX, which level
# 6 (the default) took 3.3 ms to deflate and level 3 0.9 ms, for 10 kB more (a letter is
# 47 kB instead of 37). Pictures are stored as they are: deflating a PNG again gains
# nothing (0.3 %) and took 2.3 ms for the report's two charts.
DEFLATE_LEVEL = 3
COMPRESSED = (".png", ".jpeg", ".jpg", ".gif")


def reproducible_zip(data: bytes, when: datetime | None = FIXED_TIME) -> bytes:
    """Rewrite an OOXML package (xlsx, docx) with fixed entry times and creation stamps.

    `when` is the package's created and modified time (docProps/core.xml) and its entries'
    time (a ZIP holds none before 1980); None states no created or modified time at all.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    members = ((info.filename, source.read(info.filename)) for info in source.infolist())
    return reproducible_package(members, when)


def reproducible_package(
    members: Iterable[tuple[str, bytes]], when: datetime | None = FIXED_TIME
) -> bytes:
    """An OOXML package zipped from its (name, content) members, in the order given, as
    `reproducible_zip` rewrites one: for a writer that has the members themselves, so
    that they are compressed once, not zipped, unzipped and zipped again."""
    out = io.BytesIO()
    stamp = FIXED_ZIP_TIME
    if when is not None and when.astimezone(UTC).year >= 1980:
        stamp = when.astimezone(UTC).timetuple()[:6]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, member in members:
            content = _core_times(member, when) if name == "docProps/core.xml" else member
            entry = zipfile.ZipInfo(name, date_time=stamp)
            entry.compress_type = (
                zipfile.ZIP_STORED if name.endswith(COMPRESSED) else zipfile.ZIP_DEFLATED
            )
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content, compresslevel=DEFLATE_LEVEL)
    return out.getvalue()


def _core_times(content: bytes, when: datetime | None) -> bytes:
    """core.xml with its created and modified times set to `when`, or removed when None."""
    if when is None:
        return re.sub(
            rb"<dcterms:(created|modified)\b[^>]*(?:/>|>[^<]*</dcterms:\1>)", b"", content
        )
    return re.sub(
        rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
        rb"\g<1>" + iso_time(when).encode() + rb"\g<2>",
        content,
    )


def shown_name(text: str) -> str:
    """A file name safe to print: control, format and separator characters escaped.

    A newline, carriage return or escape sequence in a name would otherwise forge lines
    of a summary or a log; an undecodable byte (a lone surrogate) would crash printing.
    """
    return "".join(_escaped(ch) for ch in text)


def _escaped(ch: str) -> str:
    if unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Zl", "Zp"}:
        code = ord(ch)
        return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(
            ch,
            f"\\x{code:02x}"
            if code < 0x100
            else f"\\u{code:04x}"
            if code < 0x10000
            else f"\\U{code:08x}",
        )
    return ch


def shown_path(path: Path, root: Path | None = None) -> str:
    """A path as printed: relative to `root` when inside it, names escaped (`shown_name`)."""
    if root is not None:
        try:
            return shown_name(_real(path).relative_to(root.resolve()).as_posix())
        except (ValueError, OSError):
            pass
    return shown_name(path.as_posix())


def kind_of(mode: int) -> str | None:
    """What a file system entry is, in words, when it is not a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except (OSError, ValueError):
        return None


def _stat(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except (OSError, ValueError):
        return None


def _real(path: Path) -> Path:
    """The absolute path with every link in its folders resolved (the last part only if
    it is not a link itself, which the gate refuses anyway)."""
    absolute = path if path.is_absolute() else Path.cwd() / path
    if absolute.name in ("", ".", ".."):
        return absolute.resolve()
    return absolute.parent.resolve() / absolute.name


def _within(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def check_targets(
    writes: Iterable[Path],
    *,
    inputs: Iterable[Path],
    root: Path | None,
    named: Mapping[Path, str] | None = None,
    appends: Iterable[Path] = (),
    where: Mapping[Path, str] | None = None,
) -> None:
    """The write gate: refuse every target a command may not write, before it writes any.

    `writes` are files replaced whole, `appends` files added to (the logs: a log may be
    read by its own run, so it is not refused for being read). `inputs` are every file the
    run reads or must keep. `root` is the tender's project folder (None: no folder limit);
    `named` maps paths the user gave on the command line to the option that gave them
    (`{out: "--out"}`): a target at or under one may lie outside the root. `where` says
    where other targets' paths came from (`data.marks`), for messages.

    Raises:
        OutputRefused: one problem per refused target, each naming it.
    """
    origin = dict(where or {})
    real_named = {_real(p): option for p, option in (named or {}).items()}
    real_root = root.resolve() if root is not None else None
    sources = [_Known(p, _real(p), _stat(p)) for p in inputs]
    problems: list[Problem] = []
    seen: list[_Known] = []
    targets = [(p, False) for p in writes] + [(p, True) for p in appends]
    for path, append in targets:
        name = shown_path(path, root)
        real = _real(path)
        option = next((o for n, o in real_named.items() if _within(real, n)), None)
        here = origin.get(path, option or "")
        found = _refusal(path, append, sources, real_root, option is not None, seen, root)
        if found is not None:
            problems.append(Problem(name, here, *found))
    if problems:
        raise OutputRefused(problems)


class _Known(NamedTuple):
    """A path the gate has met: as given, resolved, and its lstat (None: absent)."""

    path: Path
    real: Path
    status: os.stat_result | None


def _same_file(real: Path, status: os.stat_result | None, other: _Known) -> bool:
    """One file under two names: the same resolved path, or the same inode."""
    if other.real == real:
        return True
    return (
        status is not None and other.status is not None and os.path.samestat(status, other.status)
    )


def _kind_refusal(status: os.stat_result | None) -> tuple[str, str] | None:
    if status is not None and stat.S_ISLNK(status.st_mode):
        return "a symbolic link", "a regular file or a new file name (outputs never follow links)"
    if status is not None and not stat.S_ISREG(status.st_mode):
        return f"{kind_of(status.st_mode)}", "a regular file that the output can replace"
    return None


def _input_refusal(
    target: _Known, append: bool, sources: list[_Known], shown_root: Path | None
) -> tuple[str, str] | None:
    for source in sources:
        if append and source.real == target.real:
            continue  # a log is read by the run that appends to it
        if _same_file(target.real, target.status, source):
            what = (
                "a file that is an input of this evaluation"
                if source.real == target.real
                else f"the same file as {shown_path(source.path, shown_root)}, which is an input "
                "of this evaluation"
            )
            return what, "another output path (an output that would replace an input is refused)"
    return None


def _links_refusal(target: _Known, append: bool) -> tuple[str, str] | None:
    if append and target.status is not None and target.status.st_nlink > 1:
        return (
            f"a file with {target.status.st_nlink} hard links",
            "a log of its own (appending would change the other names too)",
        )
    return None


def _outside_refusal(target: _Known, root: Path | None, named: bool) -> tuple[str, str] | None:
    if root is None or named or _within(target.real, root):
        return None
    given = Path(os.path.abspath(target.path))
    linked = (
        ""
        if given == target.real
        else f" (through a link, to {shown_name(target.real.as_posix())})"
    )
    return (
        f"a path outside the tender's folder {shown_name(root.as_posix())}{linked}",
        "a path inside it (beside criteria/, bids/ and reports/), or an --out given on "
        "the command line",
    )


def _twin_refusal(
    target: _Known, seen: list[_Known], shown_root: Path | None
) -> tuple[str, str] | None:
    for other in seen:
        if _same_file(target.real, target.status, other):
            return (
                f"the same file as the output {shown_path(other.path, shown_root)}",
                "a separate file for each output",
            )
    return None


def _refusal(
    path: Path,
    append: bool,
    sources: list[_Known],
    root: Path | None,
    named: bool,
    seen: list[_Known],
    shown_root: Path | None,
) -> tuple[str, str] | None:
    """(found, expected) when `path` may not be written; None when it may.

    The checks run in the order a user would fix them: what the path is, whether it is an
    input, its links, where it lies, and whether another output already claimed it.
    """
    status = _lstat(path)
    refused = _kind_refusal(status)
    if refused is not None:
        return refused
    target = _Known(path, _real(path), status)
    refused = (
        _input_refusal(target, append, sources, shown_root)
        or _links_refusal(target, append)
        or _outside_refusal(target, root, named)
        or _twin_refusal(target, seen, shown_root)
    )
    if refused is None:
        seen.append(target)
    return refused


def write_files(
    files: Mapping[Path, bytes],
    *,
    inputs: Iterable[Path],
    root: Path | None,
    named: Mapping[Path, str] | None = None,
    appends: Iterable[Path] = (),
    where: Mapping[Path, str] | None = None,
) -> list[Path]:
    """Check every target with `check_targets`, then write each file atomically.

    `appends` are only checked here (the caller appends to them after this returns).

    Raises:
        OutputRefused: before anything is written.
    """
    check_targets(files, inputs=inputs, root=root, named=named, appends=appends, where=where)
    for path in sorted(files):
        write_atomic(path, files[path], sync_folder=False)
    for folder in sorted({path.parent for path in files}):  # once each, not once a file
        _fsync_dir(folder)
    return sorted(files)


@dataclass(frozen=True)
class Gate:
    """One command's write gate: its inputs, folder, named paths and logs, checked together.

    For commands that write in several steps: `check` every target before the first write,
    then `write` each batch (checked again, atomically written).
    """

    inputs: tuple[Path, ...]
    root: Path | None
    named: Mapping[Path, str] = field(default_factory=dict)
    appends: tuple[Path, ...] = ()
    where: Mapping[Path, str] = field(default_factory=dict)

    def check(self, writes: Iterable[Path]) -> None:
        """`check_targets` for `writes` and this command's appends.

        Raises:
            OutputRefused: naming every refused target.
        """
        check_targets(
            writes,
            inputs=self.inputs,
            root=self.root,
            named=self.named,
            appends=self.appends,
            where=self.where,
        )

    def write(self, files: Mapping[Path, bytes]) -> list[Path]:
        """`write_files` under this gate.

        Raises:
            OutputRefused: before anything is written.
        """
        return write_files(
            files,
            inputs=self.inputs,
            root=self.root,
            named=self.named,
            appends=self.appends,
            where=self.where,
        )


@dataclass(frozen=True)
class Entry:
    """One entry of a folder, as `lstat` sees it (a link is the link, not its target)."""

    path: Path
    status: os.stat_result

    @property
    def name(self) -> str:
        """The entry's name, safe to print (`shown_name`)."""
        return shown_name(self.path.name)

    @property
    def kind(self) -> str | None:
        """What the entry is when it is not a regular file ("a symbolic link", ...)."""
        return kind_of(self.status.st_mode)


def list_folder(folder: Path) -> list[Entry]:
    """Every entry of `folder` with its own `lstat`, sorted by name; links not followed.

    An entry that vanishes while the folder is listed is left out.
    """
    entries = []
    with os.scandir(folder) as scan:
        names = sorted(entry.name for entry in scan)
    for name in names:
        path = folder / name
        try:
            entries.append(Entry(path, os.lstat(path)))
        except FileNotFoundError:
            continue
    return entries


class FileRefused(TenderError):
    """A file that may not be read as it is: `found` says what it is, `expected` what to do."""

    def __init__(self, found: str, expected: str) -> None:
        self.found = found
        self.expected = expected
        super().__init__(f"found {found}; expected {expected}")


READ_BLOCK = 1 << 20
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_BINARY", 0)  # Windows: no newline translation
    | getattr(os, "O_NOFOLLOW", 0)  # a link (swapped in after lstat) is refused, not followed
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO (swapped in after lstat) does not hang open()
    | getattr(os, "O_NOCTTY", 0)
)


def read_regular(
    path: Path,
    limit: int,
    seen: os.stat_result | None = None,
    *,
    expected: str = "a regular file",
) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, read without following a link.

    The open descriptor is checked (`fstat`): it must be a regular file, and when `seen`
    (an earlier `lstat`) is given, the same file (st_dev, st_ino), so an entry replaced by
    a link or a FIFO after it was listed is refused too; that comparison is also what
    refuses a link on systems without O_NOFOLLOW (Windows). At most limit + 1 bytes are
    read, so a file that grows after its size was seen cannot exhaust memory.

    Raises:
        FileRefused: a link, not a regular file, replaced since `seen`, over `limit`
            bytes, or not readable; `expected` completes the message.
    """
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        if getattr(os, "O_NOFOLLOW", 0) and exc.errno in (errno.ELOOP, errno.EMLINK):
            raise FileRefused("a symbolic link", expected) from None
        raise FileRefused(f"a file that could not be opened ({exc.strerror})", expected) from None
    try:
        status = os.fstat(descriptor)
        kind = kind_of(status.st_mode)
        if kind is not None:
            raise FileRefused(kind, expected)
        if seen is not None and not os.path.samestat(status, seen):
            raise FileRefused(
                "a file that was replaced while the folder was being read",
                f"{expected}, left in place while it is read",
            )
        blocks: list[bytes] = []
        wanted = limit + 1
        while wanted > 0:
            block = os.read(descriptor, min(wanted, READ_BLOCK))
            if not block:
                break
            blocks.append(block)
            wanted -= len(block)
    except OSError as exc:
        raise FileRefused(f"a file that could not be read ({exc.strerror})", expected) from None
    finally:
        os.close(descriptor)
    data = b"".join(blocks)
    if len(data) > limit:
        raise FileRefused(f"a file of more than {limit:,} bytes", f"at most {limit:,} bytes")
    return data


REASONS = {
    errno.ENOSPC: "the disk is full (no space left on device); free some space and run again",
    errno.EDQUOT: "the disk quota is used up; free some space and run again",
    errno.EACCES: "permission denied; check who may read and write it",
    errno.EPERM: "permission denied; check who may read and write it",
    errno.EROFS: "the file system is read-only",
    errno.ENOTDIR: "a file stands where a folder should be in this path",
    errno.EEXIST: "a file stands where a folder should be",
    errno.EISDIR: "it is a folder, not a file",
    errno.ENOENT: "no such file or folder",
    errno.ELOOP: "a symbolic link loops or is refused here",
}


class FileSystemError(TenderError):
    """The operating system refused to read or write a file the command needs."""


def reason(exc: OSError) -> str:
    """What went wrong, in words a user can act on."""
    if exc.errno in REASONS:
        return REASONS[exc.errno]
    return exc.strerror or type(exc).__name__


@contextmanager
def os_errors(path: Path | str, doing: str) -> Iterator[None]:
    """Turn an OSError inside the block into a FileSystemError naming the path.

    `doing` completes "could not …" (for example "append to the log"); the path is the
    one the operating system names, or `path` when it names none (a full disk on write).
    """
    try:
        yield
    except FileSystemError:
        raise
    except OSError as exc:
        where = exc.filename if exc.filename is not None else path
        raise FileSystemError(f"{os.fsdecode(where)}: could not {doing}: {reason(exc)}") from None


class NotAFileError(FileSystemError):
    """A path that must be a regular file is a folder, a FIFO, a device or a socket."""

    def __init__(self, path: Path, found: str) -> None:
        super().__init__(f"{path}: found {found}; expected a file")
        self.found = found


def open_regular(path: Path, flags: int = os.O_RDONLY, mode: int = 0o666) -> int:
    """A descriptor for `path`, refusing anything but a regular file without blocking.

    The file is opened non-blocking (a FIFO would otherwise wait for a writer forever) and
    checked with fstat on the open descriptor, so a swap after a check cannot slip by.

    Raises:
        NotAFileError: when `path` is a folder, FIFO, device or socket.
        OSError: when the operating system refuses to open it.
    """
    binary = getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags | binary | getattr(os, "O_NONBLOCK", 0), mode)
    except IsADirectoryError:
        raise NotAFileError(path, "a folder") from None
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):
        os.close(descriptor)
        raise NotAFileError(path, kind_of(info.st_mode) or "a regular file")
    if hasattr(os, "set_blocking"):
        os.set_blocking(descriptor, True)
    return descriptor


def read_file(path: Path, limit: int, doing: str = "read it") -> bytes:
    """`read_regular` for a file the tool itself keeps (a key, its own workbook): any
    refusal is a `FileSystemError` naming the path.

    Raises:
        FileSystemError: a link, a folder, FIFO or device, a file over `limit`, or a
            refused read (`NotAFileError` for the special files).
    """
    try:
        return read_regular(path, limit, expected="a file")
    except FileRefused as refused:
        if refused.found.startswith(("a folder", "a FIFO", "a socket", "a device", "a special")):
            raise NotAFileError(path, refused.found) from None
        raise FileSystemError(
            f"{path}: could not {doing}: found {refused.found}; expected {refused.expected}"
        ) from None


SKIPPED_NAMES = re.compile(r"^(~\$|\.)")  # Excel lock files, hidden files


@dataclass(frozen=True)
class Received:
    """One file of a returns folder, in received order: its bytes, or why it was refused."""

    entry: Entry
    order: int
    data: bytes | None
    refused: FileRefused | None


def read_received(folder: Path, limit: int, expected: str) -> list[Received]:
    """Every file of a returns folder, read once with a bound, in received order.

    Received order is modification time, then name (a claim, like a workbook's own date).
    Lock and hidden files are skipped; a link, folder or device is refused by name, never
    followed or opened, and so is a file over `limit` bytes.
    """
    entries = [e for e in list_folder(folder) if not SKIPPED_NAMES.match(e.path.name)]
    entries.sort(key=lambda e: (e.status.st_mtime_ns, e.path.name))
    out = []
    for order, entry in enumerate(entries):
        size = entry.status.st_size
        try:
            if entry.kind is not None:
                raise FileRefused(entry.kind, expected)
            if size > limit:
                raise FileRefused(f"a file of {size:,} bytes", f"at most {limit:,} bytes")
            data = read_regular(entry.path, limit, entry.status, expected=expected)
        except FileRefused as refused:
            out.append(Received(entry, order, None, refused))
            continue
        out.append(Received(entry, order, data, None))
    return out
