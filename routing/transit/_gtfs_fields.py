"""The raw material of a GTFS feed: its files (from a folder or a zip) and field values.

Every parser names the file, line and column of a bad value in its
:class:`~routing.transit.timetable.TimetableError`.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from routing.transit.timetable import TimetableError

_TIME = re.compile(r"^(\d{1,3}):([0-5]\d):([0-5]\d)$")


class _Feed:
    """The feed's files, from a folder or a zip (at its root or inside one folder)."""

    def __init__(self, path: Path) -> None:
        self.source_id = path.name
        self._folder: Path | None = None
        self._zip: dict[str, bytes] = {}
        if path.is_dir():
            self._folder = path
        elif path.is_file() and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    if not info.is_dir() and info.filename.endswith(".txt"):
                        self._zip.setdefault(Path(info.filename).name, archive.read(info))
        else:
            raise TimetableError(
                f"{path} is neither a folder nor a zip file; expected a GTFS feed as a .zip "
                "or a folder of .txt files"
            )

    def has(self, name: str) -> bool:
        return (self._folder / name).is_file() if self._folder is not None else name in self._zip

    def read(self, name: str) -> str | None:
        if self._folder is not None:
            file = self._folder / name
            data = file.read_bytes() if file.is_file() else None
        else:
            data = self._zip.get(name)
        if data is None:
            return None
        try:
            return data.decode("utf-8-sig")  # strips the BOM some editors write
        except UnicodeDecodeError as error:
            raise TimetableError(
                f"{name}: byte {error.start} is not UTF-8; GTFS files must be UTF-8"
            ) from None


@contextmanager
def _at(name: str, line: int) -> Iterator[None]:
    """Prefix a value object's own :class:`TimetableError` with the file and line."""
    try:
        yield
    except TimetableError as error:
        where = f"{name} line {line}" if line else name
        raise TimetableError(f"{where}: {error}") from None


def _required(row: dict[str, str], column: str, name: str, line: int) -> str:
    value = row.get(column, "")
    if not value:
        raise TimetableError(f"{name} line {line}: {column} is empty or missing; it is required")
    return value


def _number(row: dict[str, str], column: str, name: str, line: int) -> float:
    text = _required(row, column, name, line)
    try:
        return float(text)
    except ValueError:
        raise TimetableError(f"{name} line {line}: {column} {text!r} is not a number") from None


def _integer(text: str, column: str, name: str, line: int, *, default: int | None = None) -> int:
    if not text and default is not None:
        return default
    if not text.isdigit():
        raise TimetableError(f"{name} line {line}: {column} {text!r} is not a whole number >= 0")
    return int(text)


def _time(text: str, column: str, name: str, line: int) -> int | None:
    if not text:
        return None
    match = _TIME.match(text)
    if match is None:
        raise TimetableError(
            f"{name} line {line}: {column} {text!r} is not a GTFS time; expected H:MM:SS with "
            "minutes and seconds 00-59 (hours may pass 24 for trips after midnight)"
        )
    hours, minutes, seconds = (int(part) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def _date(row: dict[str, str], column: str, name: str, line: int) -> date:
    text = row.get(column, "")
    try:
        if len(text) != 8 or not text.isdigit():
            raise ValueError
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise TimetableError(
            f"{name} line {line}: {column} {text!r} is not a date; expected YYYYMMDD"
        ) from None


def _restrictions(allowed: Iterable[bool]) -> tuple[bool, ...]:
    flags = tuple(allowed)
    return () if all(flags) else flags  # () means allowed everywhere


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
