"""What belongs to one city rather than to the engine: Issy's box, timezone and demand model."""
