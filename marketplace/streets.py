"""Where the product finds its street network, and how the server holds it.

The order is: an explicit path (``--streets`` or ``ISSY_STREETS`` through the settings), then
the Issy extract downloaded earlier by ``issy-mobility graph download`` and cached under
``data/``. When none is found the server still starts; every routing answer is then a clear
:class:`~routing.errors.NoStreetNetworkError` that names the fix.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from routing.errors import NoStreetNetworkError, RoutingError
from routing.street.modes import Mode
from routing.street.network import StreetNetwork, open_street_network

__all__ = [
    "ARTEFACT_CACHE_DIR",
    "ISSY_DOWNLOAD_DIR",
    "StreetsState",
    "default_streets_source",
    "load_streets",
]

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
ARTEFACT_CACHE_DIR = DATA_DIR / "streets"
ISSY_DOWNLOAD_DIR = DATA_DIR / "osm"


def default_streets_source(explicit: str | Path | None) -> Path | None:
    """The street source to use: ``explicit`` if given, else the cached Issy download."""
    if explicit:
        return Path(explicit).expanduser()
    downloads = (
        sorted(ISSY_DOWNLOAD_DIR.glob("issy_streets_*.json.gz"))
        if ISSY_DOWNLOAD_DIR.is_dir()
        else []
    )
    return downloads[-1] if downloads else None


@dataclass(frozen=True, eq=False)
class StreetsState:
    """The server's street network, or the reason it has none (given on every request)."""

    network: StreetNetwork | None
    problem: RoutingError | None = None

    def require(self) -> StreetNetwork:
        """The loaded network.

        Raises
        ------
        RoutingError
            The load failure (no source: :class:`NoStreetNetworkError` naming the fix).
        """
        if self.network is None:
            raise self.problem or NoStreetNetworkError("no street network is loaded")
        return self.network


def load_streets(
    explicit: str | Path | None,
    modes: tuple[Mode, ...] | None = None,
    *,
    cache_dir: Path = ARTEFACT_CACHE_DIR,
) -> StreetsState:
    """Open the street network for a server or command; never raises for a missing network."""
    try:
        network = open_street_network(
            default_streets_source(explicit), cache_dir=cache_dir, modes=modes
        )
    except RoutingError as exc:
        log.warning("routing is unavailable: %s", exc)
        return StreetsState(network=None, problem=exc)
    return StreetsState(network=network)
