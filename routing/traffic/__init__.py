"""Traffic on the drive graph: demand, capacity, assignment, congestion, hotspots, scenarios."""
