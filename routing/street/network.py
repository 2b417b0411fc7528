"""A street network for every mode: built once from OSM or a topology, then served from arrays.

:func:`build_artefact` reads a street source (OSM XML/PBF, Overpass JSON, GraphML or a
node/edge topology), compiles each mode and saves the artefact. :func:`open_street_network`
takes any of those or an artefact folder; for a raw source it reuses the artefact cached under
``cache_dir`` (keyed by the source's checksum) or builds it there once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from routing.errors import NoStreetNetworkError
from routing.street.artefact import (
    file_sha256,
    is_artefact,
    load_artefact,
    read_manifest,
    save_artefact,
)
from routing.street.compile import compile_graph
from routing.street.graph import CompactGraph
from routing.street.live import load_hierarchy, save_hierarchy
from routing.street.modes import Mode, ModeProfile, default_profiles
from routing.street.readers.sources import detect_street_source
from routing.street.router import StreetRouter
from routing.street.snap import DEFAULT_MAX_SNAP_DISTANCE_M

__all__ = ["StreetNetwork", "build_artefact", "open_street_network"]

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass(frozen=True, eq=False)
class StreetNetwork:
    """Every loaded mode's router plus the artefact's manifest."""

    routers: Mapping[Mode, StreetRouter]
    manifest: Mapping[str, Any]
    path: Path

    def router(self, mode: Mode | str) -> StreetRouter:
        """The router of ``mode``.

        Raises
        ------
        NoStreetNetworkError
            When the network has no graph for that mode.
        """
        key = Mode(mode)
        try:
            return self.routers[key]
        except KeyError:
            raise NoStreetNetworkError(
                f"the street network at {self.path} has no {key.value} graph; it has: "
                f"{', '.join(m.value for m in self.routers)}"
            ) from None

    @property
    def warnings(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for router in self.routers.values():
            seen.update(dict.fromkeys(router.warnings))
        return tuple(seen)


def build_artefact(
    source: Path,
    folder: Path,
    *,
    modes: Iterable[Mode] = tuple(Mode),
    profiles: Mapping[Mode, ModeProfile] | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Read ``source``, compile every mode and write the artefact to ``folder``.

    ``profiles`` None builds the source's defaults (:func:`routing.street.modes.default_profiles`:
    turn costs on for tagged OSM, off for the untagged topology). Returns the manifest.

    Raises
    ------
    StreetDataError
        When the source is missing, unreadable, or yields no street for a mode.
    """
    from routing.street.readers.osm import (
        street_graphs_from_file,  # osmnx is heavy: import only to build
    )

    say = progress or (lambda message: log.info("%s", message))
    started = time.perf_counter()
    if profiles is None:
        profiles = default_profiles(tagged=detect_street_source(source).kind.tagged)
    say(f"reading {source}")
    graphs = street_graphs_from_file(source, tuple(modes), profiles)
    say(f"read in {time.perf_counter() - started:.1f} s")
    compiled: list[CompactGraph] = []
    for mode, graph in graphs.items():
        compiled.append(compile_graph(graph, mode, progress=say))
        say(f"{mode.value}: compiled in {compiled[-1].info['compile_s']:.1f} s")
    manifest = save_artefact(
        compiled,
        folder,
        source=str(source),
        extra={
            "source_sha256": _file_sha256(source),
            "profiles": {m.value: p.speed_kmh for m, p in profiles.items()},
            "build_s": round(time.perf_counter() - started, 2),
        },
    )
    for graph in compiled:
        started_cch = time.perf_counter()
        save_hierarchy(graph, folder)
        say(
            f"{graph.mode.value}: customizable hierarchy ordered in "
            f"{time.perf_counter() - started_cch:.1f} s"
        )
    say(f"artefact written to {folder}")
    return manifest


def open_street_network(
    source: Path | None,
    *,
    cache_dir: Path,
    modes: Iterable[Mode] | None = None,
    max_snap_distance_m: float = DEFAULT_MAX_SNAP_DISTANCE_M,
    progress: Progress | None = None,
) -> StreetNetwork:
    """Open a street network from an artefact folder or any street source.

    A raw source is compiled once into ``cache_dir/<name>-<checksum>/`` and reused after.

    Raises
    ------
    NoStreetNetworkError
        When ``source`` is None (nothing configured, nothing cached).
    StreetDataError
        When the source cannot be read.
    """
    if source is None:
        raise NoStreetNetworkError(
            "no street network is loaded: pass --streets PATH (an OSM .osm/.osm.pbf/.osm.gz/"
            ".osm.bz2, Overpass .json, .graphml, a node/edge topology CSV or a built "
            "artefact), set ISSY_STREETS, or run `issy-mobility graph download` while online"
        )
    source = Path(source)
    if not is_artefact(source):
        detect_street_source(source)  # fails early, naming what is accepted
    folder = source if is_artefact(source) else cached_artefact_folder(source, cache_dir)
    if not is_artefact(folder):
        build_artefact(source, folder, progress=progress)
    started = time.perf_counter()
    graphs = load_artefact(folder, modes)
    log.info("street network loaded from %s in %.2f s", folder, time.perf_counter() - started)
    routers = {
        mode: StreetRouter(
            graph,
            max_snap_distance_m=max_snap_distance_m,
            customizable=load_hierarchy(graph, folder),
        )
        for mode, graph in graphs.items()
    }
    return StreetNetwork(routers=routers, manifest=read_manifest(folder), path=folder)


# The rules a compiled artefact embodies (mode access, barriers, turn restrictions, timing
# profiles, turn costs). Raise it when they change what a source compiles to: artefacts cached
# under an older number are then compiled again rather than served with yesterday's rules.
# 4: turn costs on by default for tagged OSM sources, car lights recalibrated (issue 17).
BUILD_RULES_VERSION = 4


def cached_artefact_folder(source: Path, cache_dir: Path) -> Path:
    """Where the artefact compiled from ``source`` is cached (changes when the file or the
    build rules do)."""
    stem = source.name.split(".")[0] or "streets"
    return cache_dir / f"{stem}-{_file_sha256(source)[:12]}-r{BUILD_RULES_VERSION}.streets"


def _file_sha256(path: Path) -> str:
    """Checksum of a street source: every file of a folder, or both files of a topology."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file())
    else:
        found = detect_street_source(path)
        files = [found.path] + ([found.edges_path] if found.edges_path else [])
    return file_sha256(*files)
