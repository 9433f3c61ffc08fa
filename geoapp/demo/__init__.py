"""Deterministic demo city of central Ningbo (pure Python, no Django).

Public API: :func:`generate_city`, :func:`write_population_tiff` and the
:class:`DemoCity` dataclass; see :mod:`geoapp.demo.generator`.
"""

from geoapp.demo.generator import DemoCity, generate_city, write_population_tiff

__all__ = ["DemoCity", "generate_city", "write_population_tiff"]
