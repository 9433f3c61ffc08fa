"""Chinese name parts for the demo city of central Ningbo.

Plain tuples only (no sets or dicts iterated for ordering), so that picking a
name with a seeded ``numpy.random.Generator`` is deterministic.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "ARTERIAL_NAMES",
    "BRIDGE_NAMES",
    "COMMUNITY_SUFFIXES",
    "DISTRICTS",
    "PLACE_PARTS",
    "ROAD_PARTS",
    "compose",
]

#: (code, name, lon, lat of the Voronoi seed, is_central, street (街道) names)
DISTRICTS: tuple[tuple[str, str, float, float, bool, tuple[str, ...]], ...] = (
    (
        "330203",
        "海曙区",
        121.495,
        29.855,
        True,
        (
            "月湖街道",
            "鼓楼街道",
            "南门街道",
            "白云街道",
            "段塘街道",
            "望春街道",
            "西门街道",
            "江厦街道",
        ),
    ),
    (
        "330205",
        "江北区",
        121.540,
        29.925,
        True,
        (
            "中马街道",
            "白沙街道",
            "孔浦街道",
            "文教街道",
            "甬江街道",
            "庄桥街道",
            "洪塘街道",
        ),
    ),
    (
        "330212",
        "鄞州区",
        121.600,
        29.835,
        True,
        (
            "百丈街道",
            "东胜街道",
            "明楼街道",
            "白鹤街道",
            "东柳街道",
            "东郊街道",
            "福明街道",
            "中河街道",
        ),
    ),
    (
        "330211",
        "镇海区",
        121.690,
        29.975,
        True,
        ("招宝山街道", "蛟川街道", "骆驼街道", "庄市街道", "贵驷街道"),
    ),
    (
        "330206",
        "北仑区",
        121.860,
        29.880,
        True,
        (
            "新碶街道",
            "大碶街道",
            "小港街道",
            "霞浦街道",
            "柴桥街道",
            "戚家山街道",
        ),
    ),
    (
        "330213",
        "奉化区",
        121.420,
        29.680,
        False,
        ("锦屏街道", "岳林街道", "江口街道", "西坞街道", "萧王庙街道"),
    ),
)

ARTERIAL_NAMES: tuple[str, ...] = (
    "中山路",
    "解放路",
    "人民路",
    "环城西路",
    "世纪大道",
    "鄞州大道",
    "江东北路",
    "百丈路",
    "药行街",
    "灵桥路",
    "兴宁路",
    "天童路",
    "宁穿路",
    "机场路",
    "柳汀街",
    "长春路",
    "苍松路",
    "段塘路",
    "望春路",
    "大庆南路",
    "桑田路",
    "院士路",
    "新河路",
    "宁南路",
    "四明路",
    "通途路",
    "甬江大道",
    "明州大道",
    "庐山路",
    "太河路",
    "中兴路",
    "钱湖路",
    "槐树路",
    "永达路",
    "东苑路",
    "风华路",
)

BRIDGE_NAMES: tuple[str, ...] = (
    "灵桥",
    "新江桥",
    "江厦桥",
    "解放桥",
    "琴桥",
    "兴宁桥",
    "甬江大桥",
    "明州大桥",
    "庆丰桥",
    "外滩大桥",
    "永丰桥",
    "青林渡桥",
    "澄浪桥",
    "芝兰桥",
    "长丰桥",
    "铁路桥",
    "常洪桥",
    "中信大桥",
    "湾头大桥",
    "招宝山大桥",
)

#: two-character place-like parts for roads, communities, committees, shops
PLACE_PARTS: tuple[str, ...] = (
    "月湖",
    "白云",
    "新芝",
    "白鹤",
    "孝闻",
    "天一",
    "南苑",
    "望春",
    "华严",
    "柳汀",
    "广仁",
    "永寿",
    "中河",
    "樱花",
    "桃源",
    "惊驾",
    "划船",
    "曙光",
    "江厦",
    "东柳",
    "东胜",
    "明楼",
    "百丈",
    "福明",
    "新河",
    "黄鹂",
    "七塔",
    "庄桥",
    "孔浦",
    "甬江",
    "文教",
    "湖西",
    "联丰",
    "段塘",
    "南门",
    "西门",
    "鼓楼",
    "秀水",
    "翠柏",
    "安丰",
    "青林",
    "丽园",
    "兴宁",
    "常青",
    "红梅",
    "石碶",
    "姚江",
    "槐树",
    "泰安",
    "中马",
    "白沙",
    "宝庆",
    "长春",
    "镇明",
    "开明",
    "郡庙",
    "灵桥",
    "大来",
    "芝兰",
    "春江",
    "锦屏",
    "岳林",
    "招宝",
    "蛟川",
    "骆驼",
    "新碶",
    "霞浦",
    "柴桥",
    "梅墟",
    "徐戎",
    "东裕",
    "戚隘",
    "新星",
    "朝晖",
    "和丰",
    "泗洲",
    "华光",
    "金汇",
    "东海",
    "嘉和",
)

ROAD_PARTS: tuple[str, ...] = ("路", "路", "路", "街", "街", "巷", "弄")

COMMUNITY_SUFFIXES: tuple[str, ...] = (
    "小区",
    "小区",
    "新村",
    "新村",
    "花园",
    "公寓",
    "苑",
    "家园",
    "新苑",
    "大院",
    "宿舍",
    "里",
)


def compose(
    rng: np.random.Generator, n: int, parts: tuple[str, ...], suffix: str = ""
) -> list[str]:
    """Return ``n`` names made of one random part and a fixed suffix.

    Parameters
    ----------
    rng
        The seeded generator (consumed).
    n
        How many names.
    parts
        Name parts to pick from.
    suffix
        Appended to every name.

    Returns
    -------
    list[str]
        The names, in draw order.
    """
    idx = rng.integers(0, len(parts), size=n)
    return [parts[k] + suffix for k in idx.tolist()]
