"""Special works of other departments and the utilities (四(四)2), and the renovation
projects they meet: some works fall in the project's year, others in another year, so
the demo has conflicts to resolve and aligned works beside them.

From its own random stream (``[seed, 19]``): adding the works leaves every other layer
of a seed as it was.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoapp.demo.generator.frame import CRS

#: kind → (department, area or line, name suffix)
KINDS: dict[str, tuple[str, str, str]] = {
    "sewer_separation": ("宁波市排水有限公司", "area", "雨污分流工程"),
    "sponge_city": (
        "宁波市住房和城乡建设局（海绵城市建设办公室）",
        "area",
        "海绵城市改造",
    ),
    "waste_sorting": ("宁波市综合行政执法局（垃圾分类办）", "area", "垃圾分类设施提升"),
    "service_centre": ("区民政局", "area", "社区服务中心标准化建设"),
    "smart_security": ("区公安分局", "area", "智慧安防小区建设"),
    "arterial_road": ("宁波市交通运输局", "line", "主干道改造"),
    "power": ("国网宁波供电公司", "line", "供电线路入地改造"),
    "telecom": ("中国电信宁波分公司", "line", "通信管线整治"),
    "cable_tv": ("华数宁波广电网络有限公司", "line", "有线电视管线整治"),
    "gas": ("宁波兴光燃气集团", "line", "燃气老旧管网更新"),
    "water": ("宁波市自来水有限公司", "line", "供水管网改造"),
}
#: the communities that become renovation projects in the demo
N_PROJECTS = 14
#: works elsewhere (touching no project)
N_OTHER = 18
PROJECT_STAGES = ("reserve_pool", "annual_plan", "annual_plan", "construction")


def _line_through(rng: np.random.Generator, poly) -> shapely.LineString:
    """A straight pipeline or road 500–1,100 m long through a community."""
    c = shapely.point_on_surface(poly)
    angle = rng.uniform(0, np.pi)
    half = rng.uniform(250, 550)
    dx, dy = half * np.cos(angle), half * np.sin(angle)
    return shapely.LineString([(c.x - dx, c.y - dy), (c.x + dx, c.y + dy)])


def _area_around(poly, neighbours) -> shapely.Geometry:
    """A works area: the community and its near neighbours, 8 m round."""
    return shapely.union_all([poly, *neighbours]).buffer(8.0, quad_segs=2)


def special_works(
    communities: gpd.GeoDataFrame, *, seed: int
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The special works (code, name, department, kind, start/end year, status,
    geometry: areas or lines) and the demo projects (community ``code``, ``year``,
    ``stage``) they meet."""
    rng = np.random.default_rng([seed, 19])
    comm = communities.sort_values("code").reset_index(drop=True)
    pool = np.flatnonzero(comm["completion_year"].to_numpy() < 2000)
    if len(pool) < N_PROJECTS + N_OTHER:
        pool = np.arange(len(comm))
    chosen = rng.choice(pool, size=min(N_PROJECTS + N_OTHER, len(pool)), replace=False)
    project_rows, other_rows = chosen[:N_PROJECTS], chosen[N_PROJECTS:]
    geoms = comm.geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    kinds = list(KINDS)
    works: list[dict] = []
    projects: list[dict] = []

    def add(i: int, kind: str, start: int, end: int, status: str) -> None:
        dept, shape, suffix = KINDS[kind]
        poly = geoms[i]
        if shape == "area":
            near = [
                geoms[j]
                for j in tree.query(poly, predicate="dwithin", distance=60.0)
                if j != i
            ]
            geom = _area_around(poly, near[:2])
            name = f"{comm['name'].iloc[i]}{suffix}"
        else:
            geom = _line_through(rng, poly)
            name = f"{comm['name'].iloc[i]}周边{suffix}"
        works.append(
            {
                "code": f"SW{len(works) + 1:04d}",
                "name": name,
                "department": dept,
                "kind": kind,
                "start_year": start,
                "end_year": end,
                "status": status,
                "geometry": shapely.set_precision(geom, 0.01),
            }
        )

    for n, i in enumerate(project_rows):
        year = int(rng.choice([2026, 2027]))
        stage = PROJECT_STAGES[n % len(PROJECT_STAGES)]
        projects.append({"code": comm["code"].iloc[i], "year": year, "stage": stage})
        for k in range(1 + int(rng.integers(0, 2))):
            kind = kinds[int(rng.integers(0, len(kinds)))]
            # every other project meets a work of another year: a conflict
            shift = 0 if (n + k) % 2 == 0 else int(rng.choice([-1, 1, 2]))
            start = year + shift
            end = start + int(rng.integers(0, 2))
            status = "under_way" if start <= 2025 else "planned"
            add(int(i), kind, start, end, status)
    for i in other_rows:
        kind = kinds[int(rng.integers(0, len(kinds)))]
        start = int(rng.integers(2023, 2030))
        end = start + int(rng.integers(0, 3))
        status = "done" if end < 2026 else ("under_way" if start <= 2026 else "planned")
        add(int(i), kind, start, end, status)
    frame = gpd.GeoDataFrame(
        pd.DataFrame(works).drop(columns="geometry"),
        geometry=[w["geometry"] for w in works],
        crs=CRS,
    )
    return frame, pd.DataFrame(projects, columns=["code", "year", "stage"])
