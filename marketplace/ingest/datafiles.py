"""Reading open-data files (plain or gzip, JSON or CSV) with errors that name the file.

Open data arrives as files copied by hand or by a script, so the likely failures are a
missing file, a truncated download or a file of another format. Each of them becomes one
:class:`DataFileError` whose message names the file and the problem, raised before anything
is written.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from marketplace.errors import InvalidInput

__all__ = ["DataFileError", "read_csv_rows", "read_json", "read_text"]


class DataFileError(InvalidInput):
    """An open-data file is missing, truncated or not in the expected format."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}", file=str(path))
        self.path = path
        self.problem = problem


def read_text(path: Path) -> str:
    """The file's text (UTF-8, a byte-order mark dropped), gunzipped when named ``*.gz``.

    Raises
    ------
    DataFileError
        Missing or unreadable file, truncated or corrupt gzip, text that is not UTF-8.
    """
    if not path.is_file():
        raise DataFileError(path, "missing file")
    try:
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
        return raw.decode("utf-8-sig")
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise DataFileError(path, f"truncated or corrupt gzip ({exc})") from None
    except UnicodeDecodeError as exc:
        raise DataFileError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise DataFileError(path, f"unreadable ({exc.strerror})") from None


def read_json(path: Path) -> Any:
    """The parsed JSON document of a file.

    Raises
    ------
    DataFileError
        As :func:`read_text`, or malformed JSON (with its line and column).
    """
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(
            path, f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None


def read_csv_rows(
    path: Path, *, delimiter: str, required: Sequence[str]
) -> list[tuple[int, dict[str, str]]]:
    """``(line number, row)`` pairs of a CSV file with a header.

    Raises
    ------
    DataFileError
        As :func:`read_text`, a header without the ``required`` columns, or a row with more
        fields than the header (the usual sign of a wrong delimiter or a cut line).
    """
    reader = csv.DictReader(io.StringIO(read_text(path), newline=""), delimiter=delimiter)
    missing = [name for name in required if name not in (reader.fieldnames or [])]
    if missing:
        found = ", ".join(reader.fieldnames or []) or "no header"
        raise DataFileError(path, f"missing column(s) {', '.join(missing)}; found {found}")
    rows = []
    try:
        for row in reader:
            if None in row:
                raise DataFileError(path, f"line {reader.line_num} has more fields than the header")
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise DataFileError(path, f"line {reader.line_num}: {exc}") from None
    return rows
