"""Benchmark of place search on the seeded open data (not collected by pytest).

Run: ``ISSY_SHARED_DATA=../shared/data .venv/bin/python benchmarks/place_search_latency.py``.
Seeds a temporary SQLite database with ``seed open-data``, then times the same queries
(what people type, letter by letter, plus known answers and a typo) three ways:

- ``baseline``: the implementation before the index, a linear scan testing that every
  folded query word is a substring of each name (kept here only as the yardstick);
- ``index``: :class:`marketplace.planning.place_index.PlaceIndex` alone;
- ``request``: :meth:`marketplace.planning.places.PlaceSearch.search`, what ``placeSearch``
  runs per request (the index plus its freshness check on the places table).

Prints median and p95 in milliseconds, the ratio to the baseline, and which known answers
each finds. Numbers only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from marketplace.catalogue.geo import ISSY_LAT, ISSY_LON
from marketplace.db import Database
from marketplace.ingest.open_data import read_open_data
from marketplace.ingest.seed import seed_open_data
from marketplace.planning.catalogue import PlannerCatalogue
from marketplace.planning.place_index import PlaceHit, fold
from marketplace.planning.places import PlaceSearch

KNOWN = {
    "mairie d'issy": "mairie d'issy",
    "corentin celton": "corentin",
    "rue ernest renan": "ernest renan",
    "corentin celtn": "corentin",
    "48.8245, 2.27": "48.8245",
}
TYPED = [
    text[:n]
    for text in ("mairie d'issy", "corentin celton", "rue ernest renan", "hotel de ville")
    for n in range(1, len(text) + 1)
]


def baseline(hits: list[PlaceHit]) -> Callable[[str], list[PlaceHit]]:
    """The previous place search: every query word a substring of the name; prefix first."""
    folded = [(fold(h.label), h) for h in hits]

    def search(text: str) -> list[PlaceHit]:
        words = fold(text).split()
        if not words:
            return []
        scored = []
        for name, hit in folded:
            if all(w in name for w in words):
                rank = 0 if name.startswith(words[0]) or f" {words[0]}" in name else 1
                scored.append(((rank, len(hit.label), hit.label), hit))
        scored.sort(key=lambda item: item[0])
        return [hit for _, hit in scored[:8]]

    return search


def _time(search: Callable[[str], list[PlaceHit]], queries: list[str], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        for text in queries:
            start = time.perf_counter()
            search(text)
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def _summary(name: str, samples: list[float], base: float | None) -> str:
    median = statistics.median(samples)
    p95 = statistics.quantiles(samples, n=20)[18]
    ratio = f"  {base / median:5.1f}x faster than baseline" if base else ""
    return f"{name:9s} median {median:6.2f} ms  p95 {p95:6.2f} ms{ratio}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=Path(os.environ.get("ISSY_SHARED_DATA", "../shared/data"))
    )
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.sqlite3")
        db.migrate()
        db.call(seed_open_data, read_open_data(args.data))
        places = PlaceSearch(db, PlannerCatalogue(db))
        index = places.index(None)
        old = baseline(list(index.places))
        centre = (ISSY_LAT, ISSY_LON)
        queries = TYPED + list(KNOWN)
        print(f"{len(index)} searchable places; {len(queries)} queries x {args.rounds} rounds")
        base = _time(old, queries, args.rounds)
        print(_summary("baseline", base, None))
        base_median = statistics.median(base)
        new = _time(lambda t: index.search(t, centre=centre, first=8), queries, args.rounds)
        print(_summary("index", new, base_median))
        request = _time(lambda t: places.search(t, graph=None, first=8), queries, args.rounds)
        print(_summary("request", request, base_median))
        for text, expected in KNOWN.items():
            found_old = any(expected in fold(h.label) for h in old(text)[:3])
            found_new = any(expected in fold(h.label) for h in places.search(text, graph=None)[:3])
            verdicts = ["found" if found else "MISSED" for found in (found_old, found_new)]
            print(f"  {text!r:20s} baseline {verdicts[0]:6s}  index {verdicts[1]}")
        db.dispose()


if __name__ == "__main__":
    main()
