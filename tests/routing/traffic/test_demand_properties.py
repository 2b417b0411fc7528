"""Property test of the OD CSV reader: any trips text gives a matrix of finite trips within
range, or a DemandError naming the lines; never another exception."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from routing.traffic.demand import MAX_TRIPS_PER_PAIR, DemandError, od_matrix_from_csv

ZONES = "zone_id,lat,lon\nmairie,48.8240,2.2730\ngare,48.8330,2.2680\n"
ROW = st.tuples(
    st.sampled_from(["mairie", "gare", "fort", ""]),
    st.sampled_from(["mairie", "gare", "x"]),
    st.sampled_from(["morning_peak", "evening_peak", "off_peak", "noon"]),
    st.floats().map(repr) | st.integers().map(str) | st.text(max_size=6),
)


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(ROW, max_size=6) | st.text(max_size=80).map(lambda t: [("", "", "", t)]))
def test_trips_are_finite_and_in_range_or_refused(rows: list[tuple[str, str, str, str]]) -> None:
    text = "origin,destination,period,trips\n" + "".join(f"{','.join(r)}\n" for r in rows)
    with tempfile.TemporaryDirectory() as folder:
        zones, trips = Path(folder) / "zones.csv", Path(folder) / "trips.csv"
        zones.write_text(ZONES, encoding="utf-8")
        trips.write_text(text, encoding="utf-8")
        try:
            od = od_matrix_from_csv(zones, trips)
        except DemandError as refused:
            assert str(refused)
            return
    for matrix in od.trips.values():
        assert np.isfinite(matrix).all()
        assert ((matrix >= 0) & (matrix <= MAX_TRIPS_PER_PAIR)).all()
