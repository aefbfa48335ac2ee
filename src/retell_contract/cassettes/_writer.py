"""Write scrubbed exchanges to vcrpy cassettes without ever silently replacing one."""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Literal

from retell_contract.cassettes._format import dump_cassette
from retell_contract.cassettes._scrub import Scrubber
from retell_contract.errors import CassetteError
from retell_contract.exchange import Exchange

RecordMode = Literal["new", "overwrite"]
RECORD_MODES: tuple[RecordMode, ...] = ("new", "overwrite")
DEFAULT_CASSETTE_NAME = "create-web-call.yaml"


def check_record_mode(mode: str) -> RecordMode:
    """``mode`` if it is a record mode, else CassetteError listing the choices."""
    if mode not in RECORD_MODES:
        raise CassetteError(f"record mode {mode!r} is not one of {', '.join(RECORD_MODES)}")
    return mode


def check_target(path: Path, mode: RecordMode) -> None:
    """Raise CassetteError if writing ``path`` in ``mode`` would lose data or cannot work."""
    if path.exists() and not path.is_file():
        raise CassetteError(f"{path}: exists and is not a file; choose another cassette directory")
    if mode == "new" and path.exists():
        raise CassetteError(
            f"{path}: cassette already exists; record mode 'new' never replaces one "
            "(use record mode 'overwrite', or another directory)"
        )
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise CassetteError(f"{parent}: is a file, cannot hold the cassette directory")
            _check_writable(path, parent)
            return


def _check_writable(path: Path, directory: Path) -> None:
    """Try to create a file where the cassette (or its directory) will go: permissions, a
    read-only mount or a full disk show now, not after every request was sent."""
    try:
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as error:
        raise CassetteError(f"{path}: cannot write in {directory} ({error.strerror or error})") from None


def write_cassette(
    path: str | Path,
    exchanges: Sequence[Exchange],
    *,
    mode: str = "new",
    scrubber: Scrubber | None = None,
) -> Path:
    """Write ``exchanges`` (scrubbed by ``scrubber``, or a default one) as one vcrpy cassette.

    ``mode="new"`` refuses to replace an existing file; ``"overwrite"`` replaces it
    atomically, so a failed write never leaves half a cassette behind.
    """
    target = Path(path)
    record_mode = check_record_mode(mode)
    check_target(target, record_mode)
    scrubber = scrubber or Scrubber()
    text = dump_cassette([scrubber.scrub(exchange) for exchange in exchanges])
    _write_atomically(target, text, replace=record_mode == "overwrite")
    return target


class Recorder:
    """Collects exchanges during a run; each is scrubbed the moment it is recorded."""

    def __init__(self, path: Path, mode: RecordMode, scrubber: Scrubber) -> None:
        self.path = path
        self.mode = mode
        self.scrubber = scrubber
        self._exchanges: list[Exchange] = []
        self._lock = threading.Lock()

    def record(self, exchange: Exchange) -> None:
        """Scrub ``exchange`` and keep it for the cassette (safe to call from several threads)."""
        scrubbed = self.scrubber.scrub(exchange)
        with self._lock:
            self._exchanges.append(scrubbed)

    @property
    def exchanges(self) -> tuple[Exchange, ...]:
        """The scrubbed exchanges recorded so far."""
        with self._lock:
            return tuple(self._exchanges)

    def save(self) -> Path:
        """Write the cassette (already-scrubbed exchanges are not scrubbed twice)."""
        _write_atomically(self.path, dump_cassette(self.exchanges), replace=self.mode == "overwrite")
        return self.path


@contextlib.contextmanager
def open_recorder(
    directory: str | Path,
    *,
    mode: str = "new",
    secrets: Iterable[str] = (),
    scrub_fields: Iterable[str] = (),
    name: str = DEFAULT_CASSETTE_NAME,
) -> Iterator[Recorder]:
    """A recorder writing ``directory/name`` when the block ends without an exception.

    Checks up front (before any request is sent) that the cassette may be written in
    ``mode``; ``secrets`` (API keys) and ``scrub_fields`` (dotted JSON paths) are scrubbed
    along with Authorization credentials and access tokens. On an exception nothing is
    written, so an interrupted run never replaces a good cassette.
    """
    record_mode = check_record_mode(mode)
    path = Path(directory) / name
    check_target(path, record_mode)
    recorder = Recorder(path, record_mode, Scrubber(secrets=secrets, fields=scrub_fields))
    yield recorder
    recorder.save()


def _write_atomically(path: Path, text: str, *, replace: bool) -> None:
    """Write via a temporary file in the same directory, then link (new) or rename (overwrite)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise CassetteError(f"{path}: cannot write cassette ({error.strerror or error})") from None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would surprise whoever commits the file
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)  # fails if someone created the file meanwhile
    except FileExistsError:
        raise CassetteError(f"{path}: cassette appeared while recording; not replaced") from None
    except OSError as error:
        raise CassetteError(f"{path}: cannot write cassette ({error.strerror or error})") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
