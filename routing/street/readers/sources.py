"""Tell what kind of street data a path holds, from its first bytes rather than its name.

The content decides because real files are often misnamed (an Overpass reply cached as
``.json`` holding XML, a ``.gz`` without the inner suffix); the name only breaks ties.
"""

from __future__ import annotations

import bz2
import enum
import gzip
import zlib
from dataclasses import dataclass
from pathlib import Path

from routing.errors import StreetDataError

__all__ = ["ACCEPTED_FORMATS", "SourceKind", "StreetSource", "detect_street_source"]

ACCEPTED_FORMATS = (
    "accepted: OSM XML (.osm, .osm.gz, .osm.bz2), OSM PBF (.osm.pbf), "
    "Overpass JSON (.json, .json.gz), osmnx GraphML (.graphml, .graphml.gz), "
    "or the topology CSV pair <prefix>.nodes.csv[.gz] + <prefix>.edges.csv[.gz]"
)

_SNIFF_BYTES = 4096
_TOPOLOGY_SUFFIXES = (".nodes.csv", ".edges.csv")


class SourceKind(enum.StrEnum):
    """The street data formats the loaders read."""

    OSM_XML = "osm-xml"
    OSM_PBF = "osm-pbf"
    OVERPASS_JSON = "overpass-json"
    GRAPHML = "graphml"
    TOPOLOGY_CSV = "topology-csv"

    @property
    def tagged(self) -> bool:
        """Whether the format carries OSM tags (every kind but the bare topology CSV)."""
        return self is not SourceKind.TOPOLOGY_CSV


@dataclass(frozen=True, slots=True)
class StreetSource:
    """A street data file (or topology file pair) and how to read it.

    ``compression`` is ``""``, ``"gz"`` or ``"bz2"``; for the topology, ``path`` is the
    nodes file and ``edges_path`` the edges file.
    """

    kind: SourceKind
    path: Path
    compression: str = ""
    edges_path: Path | None = None

    @property
    def osmium_format(self) -> str:
        """The format string pyosmium expects, whatever the file is called."""
        if self.kind is SourceKind.OSM_PBF:
            return "pbf"
        return "osm" + (f".{self.compression}" if self.compression else "")


def _strip_suffixes(name: str) -> str:
    for suffix in (".gz", ".bz2"):
        name = name.removesuffix(suffix)
    return name


def _topology_pair(path: Path) -> tuple[Path, Path] | None:
    """The (nodes, edges) files for a path to either of them or to their common prefix."""
    bare = _strip_suffixes(path.name)
    prefix = bare
    for suffix in _TOPOLOGY_SUFFIXES:
        if bare.endswith(suffix):
            prefix = bare.removesuffix(suffix)
            break
    else:
        if path.exists() and path.is_file():
            return None  # a real file that is not named like the topology
    found: list[Path] = []
    for suffix in _TOPOLOGY_SUFFIXES:
        candidates = [path.with_name(prefix + suffix + ext) for ext in (".gz", "", ".bz2")]
        existing = [c for c in candidates if c.is_file()]
        if not existing:
            if bare != prefix:  # the caller named a topology file: say which half is missing
                raise StreetDataError(
                    f"{path}: topology file {prefix + suffix}[.gz] not found beside it; "
                    + ACCEPTED_FORMATS
                )
            return None
        found.append(existing[0])
    return found[0], found[1]


def _head(path: Path) -> tuple[bytes, str]:
    """The first decompressed bytes of the file, and its compression."""
    with path.open("rb") as raw:
        magic = raw.read(3)
    try:
        if magic[:2] == b"\x1f\x8b":
            with gzip.open(path, "rb") as stream:
                return stream.read(_SNIFF_BYTES), "gz"
        if magic == b"BZh":
            with bz2.open(path, "rb") as stream:
                return stream.read(_SNIFF_BYTES), "bz2"
    except (OSError, EOFError, zlib.error) as exc:
        raise StreetDataError(
            f"{path}: compressed data is corrupt ({exc}); " + ACCEPTED_FORMATS
        ) from exc
    with path.open("rb") as raw:
        return raw.read(_SNIFF_BYTES), ""


def _kind_from_content(head: bytes) -> SourceKind | None:
    if b"OSMHeader" in head[:64]:
        return SourceKind.OSM_PBF
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if text.startswith(("{", "[")):
        return SourceKind.OVERPASS_JSON
    if "<graphml" in text:
        return SourceKind.GRAPHML
    if "<osm" in text:
        return SourceKind.OSM_XML
    return None


def _kind_from_name(path: Path) -> SourceKind | None:
    name = _strip_suffixes(path.name.lower())
    if name.endswith(".pbf"):
        return SourceKind.OSM_PBF
    if name.endswith((".osm", ".xml")):
        return SourceKind.OSM_XML
    if name.endswith(".json"):
        return SourceKind.OVERPASS_JSON
    if name.endswith(".graphml"):
        return SourceKind.GRAPHML
    return None


def detect_street_source(path: Path) -> StreetSource:
    """Find out what street data ``path`` holds.

    Parameters
    ----------
    path
        A street data file, or for the topology CSV pair either file or their common prefix
        (``.../grand_paris_carbike_topology_2023``).

    Returns
    -------
    StreetSource
        The kind of data, the compression and, for the topology, both files.

    Raises
    ------
    StreetDataError
        The path does not exist, is a folder, is empty, its compression is corrupt, or its
        content is none of the accepted formats.
    """
    path = Path(path)
    pair = _topology_pair(path)
    if pair is not None:
        return StreetSource(SourceKind.TOPOLOGY_CSV, pair[0], edges_path=pair[1])
    if not path.exists():
        raise StreetDataError(f"{path}: no such file; " + ACCEPTED_FORMATS)
    if not path.is_file():
        raise StreetDataError(f"{path}: is a folder, not a street data file; " + ACCEPTED_FORMATS)
    if path.stat().st_size == 0:
        raise StreetDataError(f"{path}: file is empty; " + ACCEPTED_FORMATS)
    head, compression = _head(path)
    if not head.strip():
        raise StreetDataError(f"{path}: file is empty once decompressed; " + ACCEPTED_FORMATS)
    kind = _kind_from_content(head) or _kind_from_name(path)
    if kind is None:
        raise StreetDataError(f"{path}: not a street data file we can read; " + ACCEPTED_FORMATS)
    return StreetSource(kind, path, compression)
