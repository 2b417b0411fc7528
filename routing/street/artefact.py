"""The street artefact on disk: every mode's arrays, a manifest, checksums; loaded fast.

:func:`save_artefact` writes every mode of a network into one folder with a ``manifest.json``
(source, date, checksums, counts); :func:`load_artefact` reads it back without networkx and
without recomputing anything, joining each graph's arrays with its contraction hierarchies.
:func:`file_sha256` is the one checksum of the engine (artefact files and street sources).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from routing.errors import CorruptArtefactError
from routing.street.graph import ALL_ARRAYS, CompactGraph, Metric, PathIndex
from routing.street.hierarchy.ch import ContractionHierarchy
from routing.street.modes import Mode

__all__ = [
    "ARTEFACT_FORMAT",
    "file_sha256",
    "is_artefact",
    "load_artefact",
    "read_manifest",
    "save_artefact",
]

ARTEFACT_FORMAT = "issy-streets/1"
MANIFEST_NAME = "manifest.json"


def _graph_arrays(graph: CompactGraph) -> dict[str, NDArray[Any]]:
    """Every array to store, the hierarchies' under ``ch_<metric>__`` prefixes."""
    out: dict[str, NDArray[Any]] = {name: getattr(graph, name) for name in ALL_ARRAYS}
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


def _graph_from_npz(path: Path, mode: Mode, info: Mapping[str, Any]) -> CompactGraph:
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise CorruptArtefactError(f"{path} cannot be read: {exc}") from None
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
