"""Contraction hierarchies: the public :class:`~routing.street.hierarchy.ch.ContractionHierarchy`
and its numba kernels (heap, contraction state, contraction, bidirectional query)."""
