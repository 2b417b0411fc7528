"""The street artefact on disk: every mode's arrays, a manifest, checksums; loaded fast.

:func:`save_artefact` writes every mode of a network into one folder with a ``manifest.json``
(source, date, checksums, counts); :func:`load_artefact` reads it back without networkx and
without recomputing anything, joining each graph's arrays with its contraction hierarchies.
The ``.npz`` files are uncompressed, so every array is a plain ``.npy`` stored inside the zip:
:func:`load_artefact` memory-maps each one read-only at its offset instead of reading it, and
N server processes that open one artefact share one copy of its pages in RAM.
:func:`file_sha256` is the one checksum of the engine (artefact files and street sources).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import struct
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from routing.errors import CorruptArtefactError
from routing.street.graph import ALL_ARRAYS, OPTIONAL_ARRAYS, CompactGraph, Metric, PathIndex
from routing.street.hierarchy.ch import ContractionHierarchy
from routing.street.modes import Mode

__all__ = [
    "ARTEFACT_FORMAT",
    "file_sha256",
    "is_artefact",
    "load_artefact",
    "mapped_npz",
    "read_manifest",
    "save_artefact",
]

ARTEFACT_FORMAT = "issy-streets/1"
MANIFEST_NAME = "manifest.json"


def _graph_arrays(graph: CompactGraph) -> dict[str, NDArray[Any]]:
    """Every array to store, the hierarchies' under ``ch_<metric>__`` prefixes."""
    out: dict[str, NDArray[Any]] = {name: getattr(graph, name) for name in ALL_ARRAYS}
    for name in OPTIONAL_ARRAYS:
        if getattr(graph, name) is not None:
            out[name] = getattr(graph, name)
    for metric, hierarchy in graph.hierarchies.items():
        if metric == "distance" and hierarchy is graph.hierarchies.get("time"):
            continue  # shared when durations are proportional to lengths
        for key, array in hierarchy.to_arrays().items():
            out[f"ch_{metric}__{key}"] = array
    return out


def is_artefact(path: Path) -> bool:
    """Whether ``path`` is a folder written by :func:`save_artefact`."""
    return path.is_dir() and (path / MANIFEST_NAME).is_file()


def save_artefact(
    graphs: Iterable[CompactGraph], folder: Path, *, source: str, extra: Mapping[str, Any] = {}
) -> dict[str, Any]:
    """Write each mode's arrays (uncompressed ``.npz``, fast to read) and ``manifest.json``.

    Returns the manifest. Files are written under temporary names and renamed at the end, so
    an interrupted build never leaves a half-written artefact that looks complete.
    """
    folder.mkdir(parents=True, exist_ok=True)
    modes: dict[str, Any] = {}
    written: list[tuple[Path, Path]] = []
    for graph in graphs:
        final = folder / f"{graph.mode.value}.npz"
        partial = folder / f".{graph.mode.value}.npz.partial"
        with partial.open("wb") as handle:
            np.savez(handle, **_graph_arrays(graph))  # type: ignore[arg-type]
        bbox = graph.bbox
        modes[graph.mode.value] = {
            **graph.info,
            "file": final.name,
            "sha256": _sha256(partial),
            "bbox": bbox.as_list(),
        }
        written.append((partial, final))
    manifest = {
        "format": ARTEFACT_FORMAT,
        "source": source,
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "modes": modes,
        **extra,
    }
    for partial, final in written:
        partial.replace(final)
    manifest_partial = folder / f".{MANIFEST_NAME}.partial"
    manifest_partial.write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    manifest_partial.replace(folder / MANIFEST_NAME)
    return manifest


def read_manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((folder / MANIFEST_NAME).read_text())
    except FileNotFoundError:
        raise CorruptArtefactError(f"{folder} has no {MANIFEST_NAME}; build it again") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CorruptArtefactError(f"{folder / MANIFEST_NAME} is not valid JSON: {exc}") from None
    if manifest.get("format") != ARTEFACT_FORMAT:
        raise CorruptArtefactError(
            f"{folder} has format {manifest.get('format')!r}; accepted: {ARTEFACT_FORMAT!r} "
            "(rebuild it with `issy-mobility graph build`)"
        )
    return manifest


def load_artefact(
    folder: Path, modes: Iterable[Mode] | None = None, *, verify: bool = True
) -> dict[Mode, CompactGraph]:
    """Load the compiled graphs of ``modes`` (all modes in the manifest by default).

    Raises
    ------
    CorruptArtefactError
        When the manifest or a mode's file is missing, fails its checksum, or lacks arrays.
    """
    manifest = read_manifest(folder)
    wanted = [Mode(m) for m in manifest["modes"]] if modes is None else list(modes)
    graphs: dict[Mode, CompactGraph] = {}
    for mode in wanted:
        entry = manifest["modes"].get(mode.value)
        if entry is None:
            raise CorruptArtefactError(
                f"{folder} holds no {mode.value} graph; it has: {', '.join(manifest['modes'])}"
            )
        path = folder / entry["file"]
        if verify and _sha256(path) != entry["sha256"]:
            raise CorruptArtefactError(f"{path} does not match its checksum; build it again")
        graphs[mode] = _graph_from_npz(path, mode, entry)
    return graphs


_LOCAL_HEADER = struct.Struct("<4s22xHH")
"""A zip local file header: signature, then (after 22 bytes) name and extra field lengths."""
_LOCAL_SIGNATURE = b"PK\x03\x04"


def mapped_npz(path: Path) -> dict[str, NDArray[Any]]:
    """Every array of an uncompressed ``.npz``, memory-mapped read-only (nothing is read).

    Each member of such a zip is a whole ``.npy`` file stored as is; its array is mapped at
    the member's data offset, so processes mapping one file share its pages. Arrays that
    cannot be mapped (compressed members, object arrays, empty arrays) are read normally.

    Raises
    ------
    CorruptArtefactError
        When the file is not such a zip or a member is not a ``.npy`` array.
    """
    arrays: dict[str, NDArray[Any]] = {}
    try:
        with zipfile.ZipFile(path) as archive, path.open("rb") as raw:
            for member in archive.infolist():
                name = member.filename.removesuffix(".npy")
                if member.compress_type != zipfile.ZIP_STORED:
                    with archive.open(member) as handle:
                        arrays[name] = np.lib.format.read_array(handle, allow_pickle=False)
                    continue
                raw.seek(member.header_offset)
                signature, name_len, extra_len = _LOCAL_HEADER.unpack(raw.read(_LOCAL_HEADER.size))
                if signature != _LOCAL_SIGNATURE:
                    raise ValueError(f"member {member.filename} has no local header")
                raw.seek(member.header_offset + _LOCAL_HEADER.size + name_len + extra_len)
                arrays[name] = _mapped_npy(path, raw)
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise CorruptArtefactError(f"{path} cannot be read: {exc}") from None
    return arrays


def _mapped_npy(path: Path, raw: Any) -> NDArray[Any]:
    """The ``.npy`` array that starts at ``raw``'s position, mapped when it can be."""
    version = np.lib.format.read_magic(raw)
    if version == (1, 0):
        shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(raw)
    elif version == (2, 0):
        shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(raw)
    else:
        raise ValueError(f".npy format {version} is not accepted; accepted: 1.0 and 2.0")
    if dtype.hasobject:
        raise ValueError("object arrays are not accepted (they would need pickle)")
    count = int(np.prod(shape, dtype=np.int64))
    if count == 0:
        return np.empty(shape, dtype=dtype, order="F" if fortran_order else "C")
    mapped = np.memmap(
        path,
        dtype=dtype,
        mode="r",
        offset=raw.tell(),
        shape=shape,
        order="F" if fortran_order else "C",
    )
    # A plain ndarray view of the mapping (numba and numpy treat it as any array).
    return np.asarray(mapped)


def _graph_from_npz(path: Path, mode: Mode, info: Mapping[str, Any]) -> CompactGraph:
    arrays = mapped_npz(path)
    required = ALL_ARRAYS
    missing = [name for name in required if name not in arrays]
    if missing:
        raise CorruptArtefactError(f"{path} lacks arrays {missing}; build it again")
    hierarchies: dict[Metric, PathIndex] = {}
    for metric in ("time", "distance"):
        prefix = f"ch_{metric}__"
        part = {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}
        if part:
            hierarchies[metric] = ContractionHierarchy.from_arrays(part)
    if "time" not in hierarchies:
        raise CorruptArtefactError(f"{path} lacks its contraction hierarchy; build it again")
    hierarchies.setdefault("distance", hierarchies["time"])
    return CompactGraph(
        mode=mode,
        hierarchies=hierarchies,
        info=dict(info),
        **{name: arrays[name] for name in required},
        **{name: arrays[name] for name in OPTIONAL_ARRAYS if name in arrays},
    )


def file_sha256(*files: Path) -> str:
    """SHA-256 over the bytes of ``files`` in order, read in 4 MiB blocks.

    Raises
    ------
    FileNotFoundError
        When a file is missing.
    """
    digest = hashlib.sha256()
    for file in files:
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 22), b""):
                digest.update(block)
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    try:
        return file_sha256(path)
    except FileNotFoundError:
        raise CorruptArtefactError(f"{path} is missing; build the artefact again") from None
