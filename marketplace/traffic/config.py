"""What the traffic features need to know beyond the settings: periods, thresholds, data.

:class:`TrafficConfig` is read once per application (``app.state.traffic_config``); a test or
a deployment sets it there, otherwise :meth:`TrafficConfig.from_environ` fills it on first
use from ``ISSY_SHARED_DATA`` (the open data folder, as ``.ci/run`` sets it) and
``ISSY_TRAFFIC_MIN_TRIPS``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marketplace.errors import InvalidInput
from marketplace.settings import REPO_ROOT
from routing.traffic.demand import DEFAULT_PERIODS, Period

__all__ = [
    "DEFAULT_CELL_SIZE_M",
    "DEFAULT_MIN_TRIPS_PER_CELL",
    "TrafficConfig",
    "period_named",
    "traffic_config",
]

# Below five trips a cell could point at one household's habits; five is the usual floor of
# statistical disclosure control for counts.
DEFAULT_MIN_TRIPS_PER_CELL = 5
# Half a kilometre: a few blocks in Issy, coarse enough to hide an address.
DEFAULT_CELL_SIZE_M = 500.0


@dataclass(frozen=True, slots=True)
class TrafficConfig:
    """Thresholds and paths of the traffic features.

    Attributes
    ----------
    min_trips_per_cell
        Planned-trip cells with fewer trips are never shown (``demandMatrix``).
    cell_size_m
        Side of the grid cells planned trips are counted in.
    open_data_dir
        The open data folder (``transit/``, ``geocoding/``) for the default Issy demand.
    max_iterations
        Largest ``maxIterations`` a planner may ask for (a bound on a request's work).
    """

    min_trips_per_cell: int = DEFAULT_MIN_TRIPS_PER_CELL
    cell_size_m: float = DEFAULT_CELL_SIZE_M
    open_data_dir: Path = REPO_ROOT.parent / "shared" / "data"
    max_iterations: int = 2000

    def __post_init__(self) -> None:
        if self.min_trips_per_cell < 1 or self.cell_size_m <= 0 or self.max_iterations < 1:
            raise ValueError(
                f"min_trips_per_cell={self.min_trips_per_cell}, cell_size_m={self.cell_size_m}, "
                f"max_iterations={self.max_iterations}; accepted: >= 1, > 0, >= 1"
            )

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> TrafficConfig:
        """Read ``ISSY_SHARED_DATA`` and ``ISSY_TRAFFIC_MIN_TRIPS`` (defaults otherwise).

        Raises
        ------
        ValueError
            ``ISSY_TRAFFIC_MIN_TRIPS`` is not a whole number >= 1.
        """
        env = os.environ if environ is None else environ
        kwargs: dict[str, Any] = {}
        if env.get("ISSY_SHARED_DATA"):
            kwargs["open_data_dir"] = Path(env["ISSY_SHARED_DATA"])
        raw = env.get("ISSY_TRAFFIC_MIN_TRIPS")
        if raw:
            try:
                kwargs["min_trips_per_cell"] = int(raw)
            except ValueError:
                raise ValueError(f"ISSY_TRAFFIC_MIN_TRIPS={raw!r} is not a whole number") from None
        return cls(**kwargs)


def traffic_config(state: Any) -> TrafficConfig:
    """The application's config (``state`` is ``app.state``), read from the environment once."""
    config = getattr(state, "traffic_config", None)
    if not isinstance(config, TrafficConfig):
        config = TrafficConfig.from_environ()
        state.traffic_config = config
    return config


def period_named(name: str, periods: tuple[Period, ...] = DEFAULT_PERIODS) -> Period:
    """The demand period called ``name``.

    Raises
    ------
    InvalidInput
        Naming the periods that exist.
    """
    for period in periods:
        if period.name == name:
            return period
    accepted = ", ".join(f"{p.name} ({p.start:%H:%M}-{p.end:%H:%M})" for p in periods)
    raise InvalidInput(f"period {name!r} does not exist; accepted: {accepted}", field="period")
