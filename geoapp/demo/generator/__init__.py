"""Deterministic demo city of central Ningbo (pure Python, no Django).

``generate_city`` builds every source layer of ``docs/DATA_MODEL.md`` for a
synthetic but plausible central Ningbo: six districts (区) tiled by a Voronoi
diagram of real-ish seeds, 3-8 streets (街道) per district (Voronoi cells of
seeds inside each district), the Y-shaped 余姚江 / 奉化江 / 甬江 meeting at
三江口, a walk network, communities (小区), idle land, vacant public housing,
amenities for every category of ``fixtures/rulesets/gb50180_2018.json`` and a
100 m population raster. All layers are in EPSG:4549 (metres).

How it is built
---------------
* **Walk network.** One lattice centred on 三江口, rotated by 12 degrees and
  radially warped (cell size ``spacing_m * (1 + r / warp_m)``), so blocks are
  small in the old core and grow outwards; every node is jittered. Only nodes
  where an "urban" field (Gaussian blobs around the district centres plus
  corridors between them) is high enough are kept. Lattice lines get a class
  by index: every 8th is an ``arterial`` (every 16th a barrier), every 4th
  ``secondary``, every 2nd ``local``, the rest ``alley`` in the old core and
  ``local`` elsewhere; 4 % become ``footway`` and 6 % of minor edges are
  removed (dead ends). Edges touching the river are dropped, and only a few
  lattice runs that cross it become ``bridge`` segments, spaced along the
  river, so walking distance exceeds straight-line distance. Only the largest
  connected component is kept. Each segment joins two lattice nodes whose
  coordinates are rounded to 0.01 m once, so endpoints are shared exactly.
* **Barriers.** ``is_barrier`` marks barrier arterials. At every third
  intersection along a barrier the perpendicular segments touching it are
  ``is_crossing``; an analysis that honours barriers should only let walkers
  cross a barrier arterial through those segments.
* **Communities, idle land, vacant housing.** A lattice cell whose four
  corners survive and that is clear of the river is a block. Communities are
  blocks (20 % of them split in two) shrunk towards their centre, so they
  never cross a street or the river and never overlap; idle plots use other
  blocks (never a community's), shrunk to 100-20 000 m². Vacant housing sits
  inside communities, with a small footprint for 60 % of them.
* **Attributes** follow the brief: mostly 1975-2000 walk-ups, about 20 %
  built 2001-2015 (higher, bigger, lifts), ~3 % villas, ~4 % in a shanty-town
  plan, ~3 % in an expropriation plan, ~5 % collective land, ~5 % with unknown
  residents (``pandas.NA`` in a nullable ``Int64`` column).
* **Amenities** are placed in two layers. *Service-driven*: every community
  gets a service level (high in the old core around 三江口 and in 鄞州 new
  town, lower at the outer town centres of 北仑 / 镇海 / 奉化 and lowest at
  their edges, plus a random effect per street and per committee, so well and
  poorly served neighbourhoods cluster). Per category a community is meant to
  be served when its level plus a small committee-level noise exceeds the
  category's threshold ``tau``; the densest such communities first get a
  facility next to them (5-minute ones between a gate and the street in
  front of it, larger ones near a network node within 0.3 x the tier
  distance), which also serves their neighbours. Thresholds make basic
  shops, bus stops, clinics and banks almost universal in the core, while
  elderly day care, nurseries, community canteens, small sports grounds and
  public toilets are often missing. 街道 service centres and community health
  centres get one per street first. *Background*: density-driven points
  (urban field ** ``expo``, boosted near street centres, with whole streets
  left out at probability ``gap``) for the rest of the supply; at ``city``
  scale they bring the count above 50 000.
* **Basemap** (what a planner finds the way by when no online tiles are
  configured): the three rivers meeting at 三江口 as water areas (余姚江, 奉化江,
  甬江, the same surfaces the network avoids), the arterial and secondary roads
  merged per name, and parks: the well-known ones near their real places (月湖,
  中山, 日湖 …) on the nearest block that no community or idle plot uses, plus
  neighbourhood green spaces on other free blocks. Drawn from a random stream of
  its own (``[seed, 0xBA5E]``), so the rest of the city is the same with or without.
* **Population raster.** 100 m cells over the city extent. The residents of
  each community (``households * 2.6`` when ``residents`` is null) are spread
  evenly over the cells whose centre lies in its polygon (the cell under its
  centroid when none does), so summing the raster over a community's cells
  gives back its residents. Other land cells get a thin background of at most
  3 people, proportional to the urban field squared; river cells are 0.

Determinism: one ``numpy.random.default_rng(seed)`` drives every draw, in a
fixed order; no set or dict iteration order or hashing is involved, all
coordinates are rounded to 0.01 m, and the GeoTIFF is written with fixed
creation options, so the same seed gives equal frames and identical bytes.
"""

from __future__ import annotations

from geoapp.demo.generator.amenities import CATEGORY_CODES
from geoapp.demo.generator.basemap_features import basemap
from geoapp.demo.generator.city import generate_city
from geoapp.demo.generator.frame import (
    CELL_M,
    CRS,
    SANJIANGKOU,
    SCALES,
    Bool,
    DemoCity,
    Float,
    Int,
)
from geoapp.demo.generator.geography import _to_xy, city_extent, river_polygon
from geoapp.demo.generator.history import HISTORY_END, HISTORY_START, stage_history
from geoapp.demo.generator.population import write_population_tiff

__all__ = [
    "Bool",
    "CATEGORY_CODES",
    "CELL_M",
    "CRS",
    "DemoCity",
    "Float",
    "HISTORY_END",
    "HISTORY_START",
    "Int",
    "SANJIANGKOU",
    "SCALES",
    "_to_xy",
    "basemap",
    "city_extent",
    "generate_city",
    "river_polygon",
    "stage_history",
    "write_population_tiff",
]
