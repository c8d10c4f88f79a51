"""statecraft.atomic.write_atomic: a file is written whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from statecraft.atomic import OutputError, write_atomic, write_output


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_writes_text_and_bytes_and_leaves_nothing_else(tmp_path: Path) -> None:
    write_atomic(tmp_path / "a.txt", "café\n")
    write_atomic(tmp_path / "b.bin", b"\x00\x01")
    assert (tmp_path / "a.txt").read_bytes() == "café\n".encode()
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    assert _names(tmp_path) == ["a.txt", "b.bin"]


def test_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "r.txt"
    target.write_text("old")
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert _names(tmp_path) == ["r.txt"]


def test_without_replace_an_existing_file_is_never_touched(tmp_path: Path) -> None:
    target = tmp_path / "keep.txt"
    target.write_text("old")
    with pytest.raises(FileExistsError):
        write_atomic(target, "new", replace=False)
    assert target.read_text() == "old"
    dangling = tmp_path / "link"
    dangling.symlink_to(tmp_path / "nowhere")
    with pytest.raises(FileExistsError):
        write_atomic(dangling, "new", replace=False)
    assert not (tmp_path / "nowhere").exists()
    assert _names(tmp_path) == ["keep.txt", "link"]
    write_atomic(tmp_path / "fresh.txt", "made", replace=False)
    assert (tmp_path / "fresh.txt").read_text() == "made"


@pytest.mark.parametrize("failing", ["fsync", "replace", "write"])
def test_a_failure_leaves_the_old_file_and_no_temporary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str) -> None:
    target = tmp_path / "e.json"
    target.write_text("old")

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    if failing == "write":  # the bytes cannot be encoded: nothing may be written
        with pytest.raises(UnicodeEncodeError):
            write_atomic(target, "\u2603", encoding="ascii")
    else:
        monkeypatch.setattr(os, failing, fail)
        with pytest.raises(OSError, match="No space left"):
            write_atomic(target, "new")
    assert target.read_text() == "old"
    assert _names(tmp_path) == ["e.json"]


def test_the_file_and_its_folder_are_flushed_to_disk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[bool] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.path.isdir(os.readlink(f"/proc/self/fd/{fd}")))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    write_atomic(tmp_path / "s.txt", "x")
    assert synced == [False, True]  # the file's bytes, then the rename in its folder


def test_without_hard_links_a_new_file_is_still_written_and_an_old_one_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(src: object, dst: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    write_atomic(tmp_path / "n.txt", "new", replace=False)
    assert (tmp_path / "n.txt").read_text() == "new"
    with pytest.raises(FileExistsError):
        write_atomic(tmp_path / "n.txt", "newer", replace=False)
    assert (tmp_path / "n.txt").read_text() == "new"
    assert _names(tmp_path) == ["n.txt"]


def test_a_missing_folder_is_an_error_that_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_atomic(tmp_path / "no" / "x.txt", "x")
    assert _names(tmp_path) == []


@pytest.mark.parametrize("kind", ["fifo", "symlink", "dangling", "folder"])
def test_replacing_refuses_a_target_that_is_not_a_regular_file(tmp_path: Path,
                                                               kind: str) -> None:
    target = tmp_path / "out.html"
    kept = tmp_path / "kept.txt"
    kept.write_text("old")
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "symlink":
        target.symlink_to(kept)
    elif kind == "dangling":
        target.symlink_to(tmp_path / "nowhere")
    else:
        target.mkdir()
    before = os.lstat(target)
    said = {"fifo": "a FIFO", "symlink": "a symbolic link", "dangling": "a symbolic link",
            "folder": "a folder"}[kind]
    with pytest.raises(OutputError, match=rf"out\.html exists and is {said}, not a regular"):
        write_atomic(target, "new")
    with pytest.raises(OutputError, match="not a regular file"):
        write_output(target, "new")
    after = os.lstat(target)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert kept.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.txt", "out.html"]


def test_an_unwritable_place_is_an_output_error_naming_it(tmp_path: Path) -> None:
    parent = tmp_path / "a-file"
    parent.write_text("x")  # a parent that is a file: refused for every user, root too
    with pytest.raises(OutputError, match=r"a-file/out\.txt: cannot write it \(Not a "
                                          r"directory\); nothing was written"):
        write_output(parent / "out.txt", "new")
    with pytest.raises(FileExistsError):
        write_output(parent, "new", replace=False)
    assert parent.read_text() == "x"


@pytest.mark.parametrize("name", ["a" * 251 + ".txt", "é" * 125 + ".yaml", "b" * 240])
def test_a_name_as_long_as_the_file_system_allows_is_written(tmp_path: Path,
                                                              name: str) -> None:
    """The temporary file's name is cut to fit where the target's is near 255 bytes (it
    was the target's name plus 15 characters: 'File name too long')."""
    assert len(name.encode()) <= 255
    target = tmp_path / name
    write_atomic(target, "first")
    write_atomic(target, "second")
    write_output(target, "third")
    assert target.read_text() == "third"
    with pytest.raises(FileExistsError):
        write_atomic(target, "fourth", replace=False)
    assert [p.name for p in tmp_path.iterdir()] == [name]
