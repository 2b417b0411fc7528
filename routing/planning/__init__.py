"""Multimodal trip planning over the street and transit layers, one module per strategy."""
