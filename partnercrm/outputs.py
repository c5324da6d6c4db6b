"""Writing output files so that nothing is destroyed: the one way every export reaches the disk.

Every file partnercrm writes (briefs, rejects, report packs, exports, backups) goes through
here, so the same rules hold for all of them:

- an existing file is kept unless the caller says to replace it (`force`);
- the open database and its `-wal`, `-shm` and `-journal` files are never replaced, even
  with `force` (a brief written over the live database destroys it);
- the content goes to a temporary file in the same folder and is renamed into place once
  complete, so a full disk or an error leaves no empty or half-written file behind;
- the file is readable by its owner only: exports hold personal data.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from partnercrm.errors import Conflict, Invalid

# every HTML page written (briefs, their index, the report pack) carries this policy: nothing
# in it loads from elsewhere or runs, whatever text a partner's record holds
HTML_CONTENT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
SQLITE_SIDECARS = ("", "-wal", "-shm", "-journal")

Database = Session | Engine | str | None


class OutputExists(Conflict):
    """The output file is already there and replacing it was not asked for."""

    def __init__(self, paths: list[Path], field: str) -> None:
        self.paths, self.field = paths, field
        shown = ", ".join(str(p) for p in paths[:3])
        more = f" and {len(paths) - 3} more" if len(paths) > 3 else ""
        verb = "already exists" if len(paths) == 1 else "already exist"
        self.what = f"{shown}{more} {verb}"
        super().__init__(f"{self.what}; nothing was written")


def database_files(database: Database) -> list[Path]:
    """The files of the open SQLite database (and its journals); none for PostgreSQL."""
    if database is None:
        return []
    if isinstance(database, Session):
        database = database.get_bind().engine
    url = make_url(database.url if isinstance(database, Engine) else database)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return []
    main = Path(url.database).expanduser()
    return [Path(f"{main}{suffix}") for suffix in SQLITE_SIDECARS]


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)  # a hard link to the database is the database
    except OSError:
        return False


def check_target(path: str | Path, *, force: bool, database: Database, field: str) -> Path:
    """Refuse `path` if it is the database, a folder, in no folder, or exists (without `force`)."""
    path = Path(path).expanduser()
    for i, protected in enumerate(database_files(database)):
        if _same_file(path, protected):
            what = "the open database" if i == 0 else "a journal of the open database"
            raise Invalid(
                f"{path} is {what} and is never overwritten; choose another file name",
                field=field,
            )
    if path.is_dir():
        raise Invalid(f"{path} is a folder; give a file name", field=field)
    if not path.parent.is_dir():
        raise Invalid(f"cannot write {path}: the folder {path.parent} does not exist", field=field)
    if not force and (path.exists() or path.is_symlink()):
        raise OutputExists([path], field)
    return path


def _cannot_write(path: Path, exc: OSError, field: str) -> Invalid:
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC:
        reason = "the disk is full"
    return Invalid(f"cannot write {path}: {reason}; nothing was written", field=field)


@contextlib.contextmanager
def staged(
    path: str | Path, *, force: bool = False, database: Database = None, field: str = "out"
) -> Iterator[Path]:
    """A temporary file beside `path` to fill; renamed onto `path` only if the block succeeds.

    The temporary file is created empty and private (0600) so a writer that opens it by name
    (SQLite's backup) keeps those permissions. On any error it is removed, with its journals.
    """
    target = check_target(path, force=force, database=database, field=field)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    except OSError as exc:
        raise _cannot_write(target, exc, field) from exc
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        if not force and (target.exists() or target.is_symlink()):
            raise OutputExists([target], field)  # someone made it while we were writing
        os.chmod(temp, PRIVATE_FILE)
        os.replace(temp, target)
    except OSError as exc:
        _remove(temp)
        raise _cannot_write(target, exc, field) from exc
    except BaseException:
        _remove(temp)
        raise


def _remove(temp: Path) -> None:
    for suffix in SQLITE_SIDECARS:
        with contextlib.suppress(OSError):
            Path(f"{temp}{suffix}").unlink()


@contextlib.contextmanager
def open_output(
    path: str | Path,
    *,
    force: bool = False,
    database: Database = None,
    field: str = "out",
    encoding: str = "utf-8",
    newline: str | None = None,
) -> Iterator[IO[str]]:
    """Open `path` for writing text, by the rules above; the file appears only when complete."""
    with staged(path, force=force, database=database, field=field) as temp:
        with open(temp, "w", encoding=encoding, newline=newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())


def write_text(
    path: str | Path,
    text: str,
    *,
    force: bool = False,
    database: Database = None,
    field: str = "out",
    encoding: str = "utf-8",
) -> Path:
    """Write `text` to `path` by the rules above and return the path written."""
    with open_output(path, force=force, database=database, field=field, encoding=encoding) as f:
        f.write(text)
    return Path(path).expanduser()


def write_bytes(
    path: str | Path,
    data: bytes,
    *,
    force: bool = False,
    database: Database = None,
    field: str = "out",
) -> Path:
    """Write `data` to `path` by the rules above and return the path written."""
    with staged(path, force=force, database=database, field=field) as temp:
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    return Path(path).expanduser()


class OutputFolder:
    """Files written into one folder all together: none replace an existing file unless `force`.

    Each file is staged beside its final name; `commit` checks, before any is renamed, that
    none would replace an existing file, so a refused pack leaves the folder as it was.
    """

    def __init__(self, folder: Path, *, force: bool, database: Database, field: str) -> None:
        self.folder, self.force, self.database, self.field = folder, force, database, field
        self._staged: list[tuple[Path, Path]] = []

    def target(self, name: str) -> Path:
        return self.folder / name

    @contextlib.contextmanager
    def open(
        self, name: str, *, encoding: str = "utf-8", newline: str | None = None
    ) -> Iterator[IO[str]]:
        target = check_target(
            self.folder / name, force=True, database=self.database, field=self.field
        )
        fd, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".partial", dir=self.folder)
        os.close(fd)
        self._staged.append((Path(temp), target))
        with open(temp, "w", encoding=encoding, newline=newline) as handle:
            yield handle

    def write_text(self, name: str, text: str, *, encoding: str = "utf-8") -> Path:
        with self.open(name, encoding=encoding) as handle:
            handle.write(text)
        return self.target(name)

    def commit(self) -> list[Path]:
        clashes = [t for _, t in self._staged if t.exists() or t.is_symlink()]
        if clashes and not self.force:
            raise OutputExists(clashes, self.field)
        for temp, target in self._staged:
            os.chmod(temp, PRIVATE_FILE)
            os.replace(temp, target)
        done = [t for _, t in self._staged]
        self._staged = []
        return done

    def discard(self) -> None:
        for temp, _ in self._staged:
            _remove(temp)
        self._staged = []


@contextlib.contextmanager
def output_folder(
    folder: str | Path, *, force: bool = False, database: Database = None, field: str = "out_dir"
) -> Iterator[OutputFolder]:
    """Write several files into `folder` (made if missing, private) all or nothing."""
    folder = Path(folder).expanduser()
    if folder.exists() and not folder.is_dir():
        raise Invalid(f"{folder} is a file, not a folder", field=field)
    try:
        folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    except OSError as exc:
        raise Invalid(f"cannot create the folder {folder}: {exc.strerror}", field=field) from exc
    out = OutputFolder(folder, force=force, database=database, field=field)
    try:
        yield out
        out.commit()
    except OSError as exc:
        out.discard()
        raise _cannot_write(folder, exc, field) from exc
    except BaseException:
        out.discard()
        raise
