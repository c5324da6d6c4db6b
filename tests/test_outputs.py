"""Outputs never destroy anything: no file is replaced unless asked, the database never, and a
failure (a full disk, a closed pipe) leaves no half file and prints one sentence."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from partnercrm import colleagues, contacts, conversations, events, organisations, outputs
from partnercrm import models as m
from partnercrm.database import open_database
from partnercrm.errors import Invalid
from tests.conftest import CLI

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def sqlite_url(tmp_path, sqlite_template) -> str:
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "crm.db"
    shutil.copy(sqlite_template, path)
    db = open_database(str(path), actor="tester")
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        arsenal = organisations.add_organisation(s, "Arsenal", "business", lead=ruth)
        ada = contacts.add_contact(s, "Ada Lovelace", "ada@arsenal.example", arsenal)
        conversations.log_conversation(
            s, arsenal, ruth, contacts=[ada], note="First call", subject="a first talk"
        )
        summit = events.add_event(s, "Summit", "summit", "12/11/2024")
        events.record_attendance(s, summit, ada)
    db.dispose()
    return str(path)


@pytest.fixture
def crm(sqlite_url) -> CLI:
    return CLI(sqlite_url)


def _still_there(url: str) -> None:
    """The database is a sound partnercrm database holding Arsenal."""
    conn = sqlite3.connect(url)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()
    db = open_database(url)
    try:
        with db.reader() as s:
            assert s.scalars(select(m.Organisation.name)).all() == ["Arsenal"]
    finally:
        db.dispose()


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial"))


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
def test_no_output_option_writes_over_the_database_even_with_force(crm, sqlite_url, suffix):
    target = sqlite_url + suffix
    attempts = [
        ("brief", "Arsenal", "--format", "html", "--out", target),
        ("brief", "Arsenal", "--format", "html", "--out", target, "--force"),
        ("brief", "Arsenal", "--out", target, "--force"),  # text, written through rich
        ("privacy", "export", "Ada Lovelace", "--out", target, "--force"),
        ("backup", target, "--force"),
        ("calendar", "--out", target, "--force"),
    ]
    for args in attempts:
        result = crm(*args)
        assert result.exit_code == 1, args
        what = "the open database" if not suffix else "a journal of the open database"
        assert result.stderr == (
            f"Error: {target} is {what} and is never overwritten; choose another file name\n"
        ), args
    _still_there(sqlite_url)
    assert _leftovers(Path(sqlite_url).parent) == []


def test_import_rejects_never_overwrite_the_database(crm, sqlite_url, tmp_path):
    source = tmp_path / "summit.csv"
    source.write_text("First name,Last name,Email\nBad,Email,bad@@x\n", encoding="utf-8")
    for target in (sqlite_url, sqlite_url + "-wal"):
        result = crm(
            "import", "attendees", str(source), "--event", "Summit", "--rejects", target, "--force"
        )
        assert result.exit_code == 1
        assert "is never overwritten; choose another file name" in result.stderr
    _still_there(sqlite_url)


def test_a_symlink_or_hard_link_to_the_database_is_the_database(crm, sqlite_url, tmp_path):
    link, hard = tmp_path / "brief.html", tmp_path / "hard.db"
    link.symlink_to(sqlite_url)
    os.link(sqlite_url, hard)
    for target in (link, hard):
        result = crm("brief", "Arsenal", "--format", "html", "--out", str(target), "--force")
        assert result.exit_code == 1 and "is the open database" in result.stderr
    _still_there(sqlite_url)


def test_an_existing_file_is_kept_unless_force(crm, tmp_path):
    cases = [
        (tmp_path / "brief.html", ("brief", "Arsenal", "--out")),
        (tmp_path / "ada.json", ("privacy", "export", "Ada Lovelace", "--out")),
        (tmp_path / "copy.db", ("backup",)),
        (tmp_path / "team.ics", ("calendar", "--out")),
    ]
    for path, args in cases:
        path.write_text("precious", encoding="utf-8")
        refused = crm(*args, str(path))
        assert refused.exit_code == 1, args
        assert refused.stderr == (
            f"Error: {path} already exists; choose another name or pass --force to replace it "
            "(nothing was written)\n"
        )
        assert path.read_text(encoding="utf-8") == "precious"
        crm.ok(*args, str(path), "--force")
        assert path.read_bytes() != b"precious"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, args  # personal data: owner only
    assert _leftovers(tmp_path) == []


def test_the_rejects_file_is_kept_unless_force_and_the_import_does_not_run(crm, tmp_path):
    source = tmp_path / "summit.csv"
    source.write_text(
        "First name,Last name,Email,Company\nGrace,Hopper,grace@navy.example,Navy\n"
        "Bad,Email,bad@@x,Navy\n",
        encoding="utf-8",
    )
    rejects = tmp_path / "rejects.csv"
    rejects.write_text("precious", encoding="utf-8")
    refused = crm(
        "import", "attendees", str(source), "--event", "Summit", "--rejects", str(rejects)
    )
    assert refused.exit_code == 1
    assert f"{rejects} already exists; choose another name or pass --force" in refused.stderr
    assert rejects.read_text(encoding="utf-8") == "precious"
    assert "grace@navy.example" not in crm.ok("contact", "list", "--json").stdout
    crm.ok(
        "import",
        "attendees",
        str(source),
        "--event",
        "Summit",
        "--rejects",
        str(rejects),
        "--force",
    )
    assert "bad@@x" in rejects.read_text(encoding="utf-8-sig")
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600


def test_report_pack_and_event_briefs_never_replace_files_in_a_folder(crm, tmp_path):
    pack, room = tmp_path / "pack", tmp_path / "room"
    pack.mkdir()
    room.mkdir()
    (pack / "index.html").write_text("my own page", encoding="utf-8")
    (pack / "notes.txt").write_text("mine", encoding="utf-8")
    (room / "arsenal.html").write_text("my own brief", encoding="utf-8")
    refused = crm("report", "pack", "--out", str(pack))
    assert refused.exit_code == 1
    assert f"{pack / 'index.html'} already exists; choose another name or pass --force" in (
        refused.stderr
    )
    assert sorted(p.name for p in pack.iterdir()) == ["index.html", "notes.txt"]  # nothing added
    assert (pack / "index.html").read_text(encoding="utf-8") == "my own page"
    refused = crm("brief", "--event", "Summit", "--out-dir", str(room))
    assert refused.exit_code == 1 and "arsenal.html already exists" in refused.stderr
    assert sorted(p.name for p in room.iterdir()) == ["arsenal.html"]

    crm.ok("report", "pack", "--out", str(pack), "--force")
    assert "<!DOCTYPE html>" in (pack / "index.html").read_text(encoding="utf-8")
    assert (pack / "notes.txt").read_text(encoding="utf-8") == "mine"  # others are left alone
    crm.ok("brief", "--event", "Summit", "--out-dir", str(room), "--force")
    assert "Arsenal" in (room / "arsenal.html").read_text(encoding="utf-8")
    assert _leftovers(pack) == [] and _leftovers(room) == []


def test_a_failed_write_leaves_no_file_and_the_retry_is_not_refused(crm, tmp_path, monkeypatch):
    out = tmp_path / "ada.json"

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(outputs.os, "fsync", disk_full)
    failed = crm("privacy", "export", "Ada Lovelace", "--out", str(out))
    assert failed.exit_code == 1
    assert failed.stderr == f"Error: cannot write {out}: the disk is full; nothing was written\n"
    assert list(tmp_path.iterdir()) == [tmp_path / "data"]  # no empty file, no temporary file
    monkeypatch.undo()
    crm.ok("privacy", "export", "Ada Lovelace", "--out", str(out))
    assert '"Ada Lovelace"' in out.read_text(encoding="utf-8")


def test_a_backup_onto_a_full_disk_removes_its_partial_files(
    crm, sqlite_url, tmp_path, monkeypatch
):
    from partnercrm import backup as backups

    def fill_then_fail(source: sqlite3.Connection, target: Path) -> None:
        Path(f"{target}-journal").write_bytes(b"x" * 100)
        target.write_bytes(b"x" * 4096)
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(backups, "copy_into", fill_then_fail)
    target = tmp_path / "copy.db"
    failed = crm("backup", str(target))
    assert failed.exit_code == 1
    assert failed.stderr == (
        f"Error: cannot write the backup {target}: the disk is full; nothing was written\n"
    )
    assert list(tmp_path.iterdir()) == [tmp_path / "data"]


def test_the_library_writes_whole_files_or_nothing(tmp_path):
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError), outputs.open_output(target) as handle:
        handle.write("half of it")
        raise RuntimeError("stopped")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(Invalid, match="is a folder"):
        outputs.write_text(tmp_path, "x")
    with pytest.raises(Invalid, match="does not exist"):
        outputs.write_text(tmp_path / "nowhere" / "x.txt", "x")


# --- standard output: a full disk, a closed pipe ---------------------------------------------


def _run(url: str, *args: str, stdout: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "--db", url, *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


OUTPUTS = [
    ("report", "pipeline", "--csv"),
    ("partner", "list"),
    ("partner", "list", "--json"),
    ("brief", "Arsenal"),
    ("history",),
]


@pytest.mark.parametrize("args", [*OUTPUTS, ("--help",), ("--version",)], ids=" ".join)
def test_a_full_disk_on_standard_output_is_one_sentence(sqlite_url, args):
    with open("/dev/full", "w") as full:
        result = _run(sqlite_url, *args, stdout=full.fileno())
    assert (result.returncode, result.stderr) == (
        1,
        "Error: cannot write the output: the disk is full\n",
    )


@pytest.mark.parametrize(
    "args", [*OUTPUTS, ("--help",), ("--version",), ("partner", "--help")], ids=" ".join
)
def test_a_closed_pipe_is_one_sentence(sqlite_url, args):
    read, write = os.pipe()
    os.close(read)  # the reader has gone, as `head` does after its first lines
    try:
        result = _run(sqlite_url, *args, stdout=write)
    finally:
        os.close(write)
    assert (result.returncode, result.stderr) == (
        1,
        "Error: the output was closed before all of it was written (by `head` or a pager?)\n",
    )
