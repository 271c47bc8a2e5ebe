"""Files on disk: atomic writes, reproducible packages, the write gate, bounded reads."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import zipfile
from pathlib import Path

import pytest

from tender import files, outputs
from tender.files import FileSystemError, NotAFileError, open_regular, os_errors, read_file


def test_outputs_still_offers_the_file_helpers() -> None:
    assert outputs.write_atomic is files.write_atomic
    assert outputs.reproducible_zip is files.reproducible_zip
    assert outputs.OutputLockedError is files.OutputLockedError


def test_reproducible_zip_fixes_entry_times(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("a.xml", b"<a/>")
    data = files.reproducible_zip(buffer.getvalue())
    (entry,) = zipfile.ZipFile(io.BytesIO(data)).infolist()
    assert entry.date_time == files.FIXED_ZIP_TIME
    files.write_atomic(tmp_path / "a.zip", data)
    assert (tmp_path / "a.zip").read_bytes() == data


def refusals(writes, **gate) -> list[str]:
    try:
        files.check_targets(writes, **gate)
    except files.OutputRefused as exc:
        return [str(p) for p in exc.problems]
    return []


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A project folder with one input, bids/x/bids.csv."""
    (tmp_path / "project" / "bids" / "x").mkdir(parents=True)
    (tmp_path / "project" / "bids" / "x" / "bids.csv").write_text("bidder_id\n")
    return tmp_path / "project"


def test_an_input_is_refused_by_path(tree: Path) -> None:
    bids = tree / "bids" / "x" / "bids.csv"
    assert refusals([tree / "bids" / "x" / ".." / "x" / "bids.csv"], inputs=[bids], root=tree) == [
        "bids/x/bids.csv: found a file that is an input of this evaluation; expected another "
        "output path (an output that would replace an input is refused)"
    ]


def test_an_input_is_refused_by_inode_under_another_name(tree: Path) -> None:
    bids = tree / "bids" / "x" / "bids.csv"
    os.link(bids, tree / "copy.csv")
    assert refusals([tree / "copy.csv"], inputs=[bids], root=tree, where={tree / "copy.csv": "x"})
    assert refusals([tree / "copy.csv"], inputs=[bids], root=tree) == [
        "copy.csv: found the same file as bids/x/bids.csv, which is an input of this "
        "evaluation; expected another output path (an output that would replace an input is "
        "refused)"
    ]


def test_a_symbolic_link_is_refused_even_to_a_harmless_file(tree: Path) -> None:
    (tree / "harmless.txt").write_text("x")
    (tree / "out.csv").symlink_to(tree / "harmless.txt")
    assert refusals([tree / "out.csv"], inputs=[], root=tree, named={tree: "--out"}) == [
        "out.csv: --out: found a symbolic link; expected a regular file or a new file name "
        "(outputs never follow links)"
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_folder_or_a_fifo_is_refused(tree: Path) -> None:
    (tree / "folder.csv").mkdir()
    os.mkfifo(tree / "pipe.jsonl")
    assert refusals([tree / "folder.csv"], inputs=[], root=tree, appends=[tree / "pipe.jsonl"]) == [
        "folder.csv: found a folder; expected a regular file that the output can replace",
        "pipe.jsonl: found a FIFO (named pipe); expected a regular file that the output can "
        "replace",
    ]


def test_outside_the_project_only_when_named_on_the_command_line(tree: Path) -> None:
    outside = tree.parent / "elsewhere" / "marks.csv"
    assert refusals([outside], inputs=[], root=tree, where={outside: "data.marks"}) == [
        f"{outside.as_posix()}: data.marks: found a path outside the tender's folder "
        f"{tree.resolve().as_posix()}; expected a path inside it (beside criteria/, bids/ and "
        "reports/), or an --out given on the command line"
    ]
    assert refusals([outside], inputs=[], root=tree, named={outside.parent: "--out"}) == []
    assert refusals([outside], inputs=[], root=None) == []


def test_a_folder_linked_out_of_the_project_is_outside(tree: Path) -> None:
    (tree.parent / "elsewhere").mkdir()
    (tree / "reports").symlink_to(tree.parent / "elsewhere")
    assert len(refusals([tree / "reports" / "x" / "results.csv"], inputs=[], root=tree)) == 1


def test_two_outputs_may_not_be_one_file(tree: Path) -> None:
    log = tree / "bids" / "x" / "evaluation-log.jsonl"
    assert refusals([log], inputs=[], root=tree, appends=[log]) == [
        "bids/x/evaluation-log.jsonl: found the same file as the output "
        "bids/x/evaluation-log.jsonl; expected a separate file for each output"
    ]


def test_a_log_may_be_read_by_the_run_that_appends_to_it_but_not_be_another_input(
    tree: Path,
) -> None:
    bids = tree / "bids" / "x" / "bids.csv"
    log = tree / "bids" / "x" / "evaluation-log.jsonl"
    log.write_text("")
    assert refusals([], inputs=[bids, log], root=tree, appends=[log]) == []
    log.unlink()
    log.symlink_to(bids)
    assert refusals([], inputs=[bids, log], root=tree, appends=[log]) == [
        "bids/x/evaluation-log.jsonl: found a symbolic link; expected a regular file or a new "
        "file name (outputs never follow links)"
    ]
    log.unlink()
    os.link(bids, log)
    assert len(refusals([], inputs=[bids, log], root=tree, appends=[log])) == 1


def test_a_hard_linked_log_is_refused(tree: Path, tmp_path: Path) -> None:
    log = tree / "runs.jsonl"
    log.write_text("")
    os.link(log, tmp_path / "elsewhere.jsonl")
    assert refusals([], inputs=[], root=tree, appends=[log]) == [
        "runs.jsonl: found a file with 2 hard links; expected a log of its own (appending "
        "would change the other names too)"
    ]


def test_nothing_is_written_when_one_target_is_refused(tree: Path) -> None:
    bids = tree / "bids" / "x" / "bids.csv"
    before = hashlib.sha256(bids.read_bytes()).hexdigest()
    with pytest.raises(files.OutputRefused):
        files.write_files({tree / "a.csv": b"a", bids: b"b"}, inputs=[bids], root=tree)
    assert not (tree / "a.csv").exists()
    assert hashlib.sha256(bids.read_bytes()).hexdigest() == before
    assert files.write_files({tree / "a.csv": b"a"}, inputs=[bids], root=tree) == [tree / "a.csv"]
    assert (tree / "a.csv").read_bytes() == b"a"


def test_the_gate_is_a_tender_input_error(tree: Path) -> None:
    from tender.errors import TenderInputError

    assert issubclass(files.OutputRefused, TenderInputError)
    gate = files.Gate((tree / "bids" / "x" / "bids.csv",), tree)
    with pytest.raises(TenderInputError):
        gate.write({tree / "bids" / "x" / "bids.csv": b""})


def test_names_are_shown_with_control_characters_escaped() -> None:
    assert files.shown_name("E1\nerror: forged\r\x1b[2J\t\u202e\u2028\udcff.xlsx") == (
        "E1\\nerror: forged\\r\\x1b[2J\\t\\u202e\\u2028\\udcff.xlsx"
    )
    assert files.shown_name("Évaluation – E1 (copy).xlsx") == "Évaluation – E1 (copy).xlsx"


def test_a_folder_is_listed_without_following_links(tmp_path: Path) -> None:
    (tmp_path / "b.xlsx").write_bytes(b"x")
    (tmp_path / "a.xlsx").symlink_to(tmp_path / "b.xlsx")
    (tmp_path / "c").mkdir()
    entries = files.list_folder(tmp_path)
    assert [(e.name, e.kind) for e in entries] == [
        ("a.xlsx", "a symbolic link"),
        ("b.xlsx", None),
        ("c", "a folder"),
    ]


def test_a_regular_file_is_read_whole_within_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "E1.xlsx"
    path.write_bytes(b"12345")
    assert files.read_regular(path, 5, os.lstat(path)) == b"12345"
    with pytest.raises(files.FileRefused) as refused:
        files.read_regular(path, 4)
    assert str(refused.value) == "found a file of more than 4 bytes; expected at most 4 bytes"


def test_a_file_that_grew_after_it_was_listed_is_read_only_to_the_bound(tmp_path: Path) -> None:
    path = tmp_path / "E1.xlsx"
    path.write_bytes(b"small")
    seen = os.lstat(path)
    with path.open("ab") as grow:
        grow.write(b"x" * (3 << 20))
    reads: list[int] = []
    real_read = os.read

    def counting(fd: int, n: int) -> bytes:
        reads.append(n)
        return real_read(fd, n)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "read", counting)
        with pytest.raises(files.FileRefused, match="more than 10 bytes"):
            files.read_regular(path, 10, seen)
    assert sum(reads) == 11


def test_a_link_is_refused_not_followed(tmp_path: Path) -> None:
    (tmp_path / "target.xlsx").write_bytes(b"elsewhere")
    link = tmp_path / "E1.xlsx"
    link.symlink_to(tmp_path / "target.xlsx")
    with pytest.raises(files.FileRefused) as refused:
        files.read_regular(link, 100, expected="a return")
    assert str(refused.value) == "found a symbolic link; expected a return"


def test_without_o_nofollow_a_link_is_caught_by_comparing_the_open_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on Windows: open() follows the link, but the descriptor is not the entry listed."""
    (tmp_path / "target.xlsx").write_bytes(b"elsewhere")
    link = tmp_path / "E1.xlsx"
    link.symlink_to(tmp_path / "target.xlsx")
    monkeypatch.setattr(files, "_OPEN_FLAGS", os.O_RDONLY)
    with pytest.raises(files.FileRefused, match="replaced while the folder was being read"):
        files.read_regular(link, 100, os.lstat(link))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_at_once_instead_of_hanging(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "E1.xlsx")
    with pytest.raises(files.FileRefused, match=r"^found a FIFO \(named pipe\)"):
        files.read_regular(tmp_path / "E1.xlsx", 100)  # no writer: open() must not block


def test_a_device_and_a_socket_are_refused() -> None:
    import socket
    import tempfile

    if Path("/dev/zero").exists():
        with pytest.raises(files.FileRefused, match=r"^found a device"):
            files.read_regular(Path("/dev/zero"), 100)  # endless: refused before reading
    if hasattr(socket, "AF_UNIX"):
        folder = Path(tempfile.mkdtemp(prefix="s", dir="/tmp"))  # socket paths must be short
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(str(folder / "E1.xlsx"))
            (entry,) = files.list_folder(folder)
            assert entry.kind == "a socket"
        (folder / "E1.xlsx").unlink()
        folder.rmdir()


# File-system failures become messages naming the path; special files are never opened.


def test_a_full_disk_names_the_path_and_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(FileSystemError) as caught, os_errors(tmp_path / "out", "write it"):
        raise OSError(errno.ENOSPC, "No space left on device")
    assert str(caught.value) == (
        f"{tmp_path / 'out'}: could not write it: the disk is full (no space left on "
        "device); free some space and run again"
    )


def test_the_path_the_system_names_wins(tmp_path: Path) -> None:
    message = r"x\.csv: could not read it: permission denied"
    with pytest.raises(FileSystemError, match=message), os_errors(tmp_path, "read it"):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "x.csv"))


def test_other_errors_pass_through(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="a bug"), os_errors(tmp_path, "read it"):
        raise ValueError("a bug")


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(NotAFileError, match="found a folder; expected a file"):
        open_regular(tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX only")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "key"
    os.mkfifo(fifo)
    with pytest.raises(NotAFileError, match=r"found a FIFO \(named pipe\); expected a file"):
        read_file(fifo, 100)


def test_reads_are_bounded(tmp_path: Path) -> None:
    path = tmp_path / "big"
    path.write_bytes(b"x" * 101)
    assert read_file(path, 101) == b"x" * 101
    with pytest.raises(FileSystemError, match="found a file of more than 100 bytes"):
        read_file(path, 100)


def test_a_returns_folder_is_read_once_in_received_order(tmp_path: Path) -> None:
    import os

    from tender.files import read_received

    (tmp_path / "b.xlsx").write_bytes(b"bb")
    (tmp_path / "a.xlsx").write_bytes(b"a" * 10)
    (tmp_path / "~$a.xlsx").write_bytes(b"lock")  # Excel's lock file: skipped
    (tmp_path / "sub").mkdir()
    os.utime(tmp_path / "b.xlsx", ns=(1, 1))  # received first, whatever its name
    os.utime(tmp_path / "a.xlsx", ns=(2, 2))
    os.utime(tmp_path / "sub", ns=(3, 3))
    got = read_received(tmp_path, limit=5, expected="a workbook")
    assert [(r.entry.name, r.data) for r in got] == [
        ("b.xlsx", b"bb"),
        ("a.xlsx", None),
        ("sub", None),
    ]
    refused = {r.entry.name: r.refused for r in got if r.refused is not None}
    assert refused["a.xlsx"].found == "a file of 10 bytes"
    assert "sub" in refused
    assert "~$a.xlsx" not in {r.entry.name for r in got}


def test_files_are_each_synced_then_each_folder_once_after_every_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rename is durable once its folder is synced: one sync of each folder after all
    of its renames does for many files what one after each did."""
    events: list[str] = []
    real_replace, real_fsync = os.replace, os.fsync
    monkeypatch.setattr(files, "_fsync_dir", lambda folder: events.append(f"dir {folder.name}"))
    monkeypatch.setattr(
        files.os,
        "replace",
        lambda a, b: (events.append(f"replace {Path(b).name}"), real_replace(a, b)),
    )
    monkeypatch.setattr(files.os, "fsync", lambda fd: (events.append("file"), real_fsync(fd)))
    out = tmp_path / "out"
    written = files.write_files(
        {out / "a.pdf": b"a", out / "letters" / "b.pdf": b"b", out / "c.pdf": b"c"},
        inputs=[],
        root=tmp_path,
    )
    assert [p.read_bytes() for p in written] == [b"a", b"c", b"b"]
    assert events == [
        "file", "replace a.pdf", "file", "replace c.pdf", "file", "replace b.pdf",
        "dir out", "dir letters",
    ]  # fmt: skip
