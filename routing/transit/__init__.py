"""The transit layer: timetables, GTFS reading and RAPTOR; it knows no streets."""
