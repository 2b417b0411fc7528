"""What traffic resolvers work with: the app's traffic settings and its drive network."""

from __future__ import annotations

from marketplace.api.context import Info
from marketplace.errors import StreetsUnavailable
from marketplace.i18n import Message
from marketplace.traffic.config import TrafficConfig, traffic_config
from marketplace.traffic.runner import drive_graph
from routing.errors import RoutingError
from routing.street.network import StreetNetwork

__all__ = ["drive_network", "traffic_settings"]


def traffic_settings(info: Info) -> TrafficConfig:
    """The traffic settings the app was started with."""
    return traffic_config(info.context.connection.app.state)


def drive_network(info: Info) -> StreetNetwork:
    """The street network, checked to have a drive graph; STREETS_UNAVAILABLE otherwise."""
    planning = getattr(info.context.connection.app.state, "planning", None)
    if planning is None:
        raise StreetsUnavailable(Message("traffic.no_network"))
    try:
        network: StreetNetwork = planning.network()
        drive_graph(network)
    except RoutingError as exc:
        raise StreetsUnavailable(str(exc)) from None
    return network
