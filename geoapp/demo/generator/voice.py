"""Residents' voice of the demo city: suggestions and complaints on communities under
way, some published with a reply, some pending, some rejected (四(一)2, 六(四))."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: communities whose residents speak: from the plan to the works
ACTIVE_STAGES = ("planned", "in_reserve", "in_annual_plan", "under_construction")
VOICE_START = pd.Timestamp("2026-05-01 09:00", tz="Asia/Shanghai")
VOICE_DAYS = 180
#: (topic, kind, text, reply)
MESSAGES = (
    (
        "lift",
        "suggestion",
        "我家住6楼，老人上下楼很困难，希望这次改造能加装电梯，低层住户的顾虑请社区多协调。",
        "已将加装电梯列入改造方案征询内容，社区将组织单元业主协商，低层住户补偿按市里办法执行。",
    ),
    (
        "lift",
        "complaint",
        "加装电梯的意见征询只在白天开会，上班的业主没法参加，希望安排晚上或周末。",
        "下次协商会改在周六上午，并开通线上意见表。",
    ),
    (
        "parking",
        "suggestion",
        "小区晚上停车太难，车都停到消防通道上了，建议利用东侧闲置空地增设停车位。",
        "东侧闲置地块已纳入方案，规划增设停车位约40个，并划定消防通道禁停线。",
    ),
    (
        "parking",
        "suggestion",
        "电动自行车没有集中充电的地方，楼道里飞线充电很危险，希望建充电棚。",
        "方案已增加两处电动自行车集中充电棚，施工期间请勿在楼道充电。",
    ),
    (
        "greening",
        "suggestion",
        "中心绿地的香樟树太密，一楼常年晒不到太阳，希望修剪，同时保留老树。",
        "已请园林部门现场查看，按规范修剪，古树名木不动。",
    ),
    (
        "greening",
        "suggestion",
        "希望在小区里增加一些座椅和健身器材，方便老人和小孩活动。",
        "改造方案在中心绿地增设休憩座椅和适老健身器材。",
    ),
    (
        "safety",
        "complaint",
        "3号楼楼道灯坏了好几个月，晚上老人出门很不安全。",
        "物业已更换楼道灯，改造中将统一换成感应灯。",
    ),
    (
        "safety",
        "suggestion",
        "小区没有监控和门禁，外卖电瓶车随便进出，建议增加智慧安防。",
        "智慧安防（门禁、监控）已列入完善类改造内容。",
    ),
    (
        "pipes",
        "complaint",
        "一下大雨小区门口就积水，雨水管和污水管好像是混在一起的。",
        "已与排水部门对接，雨污分流与本次改造同步实施，避免重复开挖。",
    ),
    (
        "pipes",
        "suggestion",
        "自来水管太旧了，经常有黄水，希望这次一起更换。",
        "供水企业已确认同步更换老旧供水管网。",
    ),
    (
        "property",
        "complaint",
        "小区一直没有物业，垃圾没人清运，改造后谁来管？",
        "街道将引导成立业主委员会，改造完成后引入专业物业服务。",
    ),
    (
        "property",
        "suggestion",
        "希望公布公共收益的使用情况，比如广告位和停车费收入。",
        "社区将每季度在公告栏和小程序公示公共收益收支。",
    ),
    (
        "works",
        "complaint",
        "施工队早上6点就开始打钻，噪音太大，影响休息。",
        "已要求施工单位严格执行作业时间，早8点前、晚6点后不进行高噪音作业。",
    ),
    (
        "works",
        "suggestion",
        "外立面改造的颜色希望让居民投票决定。",
        "外立面色彩方案将在方案公示期间征求居民意见。",
    ),
    (
        "other",
        "suggestion",
        "希望小区里能有一个老年食堂或助餐点。",
        "已将助餐点纳入完整居住社区配套建设需求，由街道统筹选址。",
    ),
)
#: what moderators refuse to publish (advertising, personal data, off topic)
REJECTED = (
    ("other", "suggestion", "专业疏通下水道，电话请见小区门口广告。", "广告，不予公开"),
    (
        "property",
        "complaint",
        "某某栋某室的住户天天在楼道堆杂物，门牌号是……",
        "含个人信息，已转社区处理",
    ),
    ("other", "complaint", "这个网站打开太慢了。", "与改造无关，已转技术人员"),
)
STATUS_SHARES = (("published", 0.45), ("pending", 0.40), ("rejected", 0.15))


def suggestions(communities: pd.DataFrame, *, seed: int, n: int = 36) -> pd.DataFrame:
    """About ``n`` suggestions on communities at an active stage, from a random stream
    of their own (``[seed, 0x766f]``): the rest of the city stays as it was.

    Returns ``community_code``, ``topic``, ``kind``, ``text``, ``contact`` (a fake
    phone number or empty), ``status``, ``reply`` (the public reply; the internal
    reason of a rejection), ``created_at`` and ``moderated_at`` (tz-aware; NaT while
    pending), ordered by ``created_at``.
    """
    rng = np.random.default_rng([seed, 0x766F])
    active = communities[communities["stage"].isin(ACTIVE_STAGES)]
    pool = active if len(active) else communities
    codes = np.sort(pool["code"].astype(str).to_numpy())
    chosen = rng.choice(codes, size=min(len(codes), max(1, n // 3)), replace=False)
    statuses, shares = zip(*STATUS_SHARES, strict=True)
    rows = []
    for i in range(n):
        status = str(rng.choice(statuses, p=shares))
        if status == "rejected":
            topic, kind, text, reply = REJECTED[int(rng.integers(len(REJECTED)))]
        else:
            topic, kind, text, reply = MESSAGES[int(rng.integers(len(MESSAGES)))]
        created = VOICE_START + pd.Timedelta(
            minutes=int(rng.integers(VOICE_DAYS * 24 * 60))
        )
        moderated = (
            pd.NaT
            if status == "pending"
            else created + pd.Timedelta(hours=int(rng.integers(4, 24 * 10)))
        )
        phone = f"139{int(rng.integers(10_000_000, 99_999_999)):08d}"
        rows.append(
            {
                "community_code": str(chosen[i % len(chosen)]),
                "topic": topic,
                "kind": kind,
                "text": text,
                "contact": phone if rng.random() < 0.5 else "",
                "status": status,
                "reply": "" if status == "pending" else reply,
                "created_at": created,
                "moderated_at": moderated,
            }
        )
    out = pd.DataFrame(rows)
    return out.sort_values(["created_at", "community_code"], kind="stable").reset_index(
        drop=True
    )
