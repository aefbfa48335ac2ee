"""Record exchanges to vcrpy cassettes with secrets scrubbed, and read them back.

>>> from retell_contract.cassettes import open_recorder, read_cassettes
>>> with open_recorder("cassettes/mine", secrets=[api_key]) as recorder:   # doctest: +SKIP
...     recorder.record(exchange)
>>> exchanges = read_cassettes("cassettes/mine")                            # doctest: +SKIP

Cassettes are plain vcrpy cassettes (``vcr.use_cassette`` and pytest-recording replay
them); each exchange's notes ride along in the cassette's ``metadata``.
"""

from retell_contract.cassettes._reader import (
    CASSETTE_SUFFIXES,
    CassetteEntry,
    cassette_files,
    read_cassette_entries,
    read_cassettes,
)
from retell_contract.cassettes._scrub import PLACEHOLDER_PREFIX, Scrubber, parse_field_path
from retell_contract.cassettes._writer import (
    DEFAULT_CASSETTE_NAME,
    RECORD_MODES,
    Recorder,
    RecordMode,
    open_recorder,
    write_cassette,
)
from retell_contract.errors import CassetteError

__all__ = [
    "CASSETTE_SUFFIXES",
    "DEFAULT_CASSETTE_NAME",
    "PLACEHOLDER_PREFIX",
    "RECORD_MODES",
    "CassetteEntry",
    "CassetteError",
    "RecordMode",
    "Recorder",
    "Scrubber",
    "cassette_files",
    "open_recorder",
    "parse_field_path",
    "read_cassette_entries",
    "read_cassettes",
    "write_cassette",
]
