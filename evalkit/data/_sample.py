"""Seeded sample data: one county's information work over two years, and a large set for benchmarks.

:func:`generate` makes the four tables of a realistic county (15 townships, 40
departments in three classes, about 80 informants, about 3,500 items a year)
in canonical column names; :func:`write_sample` writes them as real exports
look (Chinese headers and labels, title rows, a BOM CSV and a GBK CSV);
:func:`generate_large` makes a big flat data set quickly for the benchmarks.
Everything is drawn from ``numpy.random.default_rng(seed)``: the same seed
gives the same frames and the same file bytes.

Run ``python -m evalkit.data._sample data/sample`` (``make sample``) to regenerate
the committed sample.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.data._schema import COLUMNS, ENUMS

# ------------------------------------------------------------------ the county, as data
TOWNSHIPS = (
    "城关镇 青石镇 白沙镇 龙潭镇 桃源镇 石门镇 清溪镇 双河镇 马头镇 新桥乡 柳林乡 金竹乡 长岭乡 古城街道 东湖街道"
).split()
TOWNSHIP_TOPICS = (
    "秸秆禁烧 防汛抗旱 人居环境整治 乡村振兴 基层治理 矛盾纠纷化解 森林防火 春耕备耕 强村富民 "
    "和美乡村建设 安全生产 村集体经济发展 网格化管理 低收入农户帮扶 特色产业发展 招商引资"
).split()
GENERAL_TOPICS = (
    "营商环境优化 作风建设 数字化改革 民生实事 安全生产 基层减负 政务服务提质 招商引资 共同富裕 党建引领"
).split()
DEPARTMENTS = """
县发改局|一类|重大项目攻坚 营商环境优化 节能降耗
县公安局|一类|平安建设 电信网络诈骗防范 道路交通安全整治
县教育局|一类|“双减”落实 教育均衡发展 校园安全
县财政局|一类|预算绩效管理 惠企政策兑现 财政资金直达
县人社局|一类|稳岗就业 技能人才培养 根治欠薪
县自然资源和规划局|一类|耕地保护 国土空间规划 用地要素保障
县住建局|一类|老旧小区改造 城市更新 建筑施工安全
县交通运输局|一类|“四好农村路”建设 公路隐患整治 城乡公交一体化
县水利局|一类|防汛抗旱 水库安全度汛 农村饮用水保障
县农业农村局|一类|春耕备耕 粮食安全 高标准农田建设
县卫健局|一类|医共体建设 基层医疗服务 爱国卫生运动
县市场监管局|一类|食品安全监管 质量强县 个体工商户培育
县商务局|二类|消费提振 外贸稳增长 电商直播
县文广旅体局|二类|全域旅游 文化惠民 全民健身
县应急管理局|二类|安全生产 森林防火 应急演练
县生态环境分局|二类|大气污染防治 河湖长制 环保督察整改
县民政局|二类|养老服务 社会救助 婚俗改革
县司法局|二类|法治政府建设 人民调解 普法宣传
县经信局|二类|工业稳增长 专精特新企业培育 数字经济
县科技局|二类|科技创新 科技特派员 研发投入
县医保局|二类|医保基金监管 医保便民服务 参保扩面
县林业局|二类|林长制 松材线虫病防治 森林资源保护
县综合行政执法局|二类|城市精细化管理 违法建设治理 垃圾分类
县审计局|二类|审计整改 经济责任审计 政策落实跟踪审计
县统计局|二类|统计数据质量 经济普查 统计监督
县信访局|二类|信访积案化解 矛盾纠纷排查 信访法治化
县退役军人事务局|二类|双拥共建 退役军人就业 优抚政策落实
县档案馆|三类|档案数字化 档案资源建设 档案安全
县总工会|三类|职工权益维护 劳动技能竞赛 困难职工帮扶
团县委|三类|青年发展型县域建设 志愿服务 青少年权益保护
县妇联|三类|家庭家教家风 妇女儿童权益保障 巾帼创业
县科协|三类|科普宣传 科技工作者服务 院士专家工作站
县残联|三类|残疾人就业帮扶 康复服务 无障碍环境建设
县供销社|三类|农资保供 供销助农 农村电商
县气象局|三类|气象预警服务 人工影响天气 气象防灾减灾
县融媒体中心|三类|主题宣传 媒体融合 网络舆情引导
县机关事务服务中心|三类|公共机构节能 公务用车管理 机关食堂管理
县数据局|三类|数据资源共享 “一网通办” 公共数据开放
县消防救援大队|三类|火灾隐患排查 消防宣传 高层建筑消防安全
县税务局|三类|税费优惠政策落实 便民办税 发票电子化
"""  # department | class | its own topics
RENAMED = ("县农业局", "县农业农村局")  # (former name, used before the last year; current name)
# class key: items a year (low, high), yearly quota, share of urgent items
VOLUMES = {"乡镇": (80, 120, 96, 0.06), "一类": (60, 100, 72, 0.03),
           "二类": (35, 60, 48, 0.025), "三类": (15, 30, 24, 0.015)}  # fmt: skip
INCIDENTS = (
    "一民房发生火灾 发生一起道路交通事故 遭受短时强降雨袭击 一企业发生安全生产事故 发生山体滑坡 "
    "出现群众聚集 发生一起溺水事件 发生森林火情 一在建工地发生坍塌 发生一起食物中毒事件"
).split()
CATEGORIES = ("ordinary", "urgent", "research", "commissioned")
TEMPLATES = {  # category (or joint) -> title templates with {unit} and {topic}
    "ordinary": (
        "{unit}扎实推进{topic}", "{unit}多措并举抓好{topic}工作", "{unit}“三个聚焦”推动{topic}见实效",
        "{unit}全力做好{topic}工作", "{unit}创新机制破解{topic}难题", "{unit}高质量推进{topic}",
        "{unit}打好{topic}“组合拳”", "{unit}召开{topic}工作推进会", "{unit}深入开展{topic}专项行动",
        "{unit}“四个强化”推进{topic}提质增效",
    ),
    "urgent": ("{unit}报告：{topic}", "{unit}报告：辖区{topic}，已妥善处置", "{unit}报告：{topic}，无人员伤亡"),
    "research": ("关于{topic}的调研与思考——以{unit}为例", "{unit}{topic}情况调研报告", "破解{topic}难题的{unit}实践"),
    "commissioned": ("{unit}关于{topic}工作情况的报告", "{unit}{topic}进展情况及下步打算"),
    "joint": ("{unit}联合开展{topic}专项行动", "{unit}协同推进{topic}"),
}  # fmt: skip
# adoption details per level (rows: county, city, province, national)
LEVELS = ("county", "city", "province", "national")
OUTLETS = np.array([("要情快报", "政务信息", "专报"), ("市委信息", "市政府专报", ""),
                    ("浙江信息", "决策参考", ""), ("中办信息综合", "国办专报", "")], dtype=object)  # fmt: skip
OUTLET_P = np.array([[0.5, 0.4, 0.1], [0.6, 0.4, 0], [0.65, 0.35, 0], [0.6, 0.4, 0]])
RESEARCH_OUTLET_P = np.array(
    [0.2, 0.3, 0.5]
)  # research items adopted by the county go to 专报 more
TYPE_P = np.array([[0.8, 0.12, 0.08], [0.5, 0.4, 0.1], [0.5, 0.4, 0.1], [0.6, 0.4, 0.0]])
LEADERS = np.array([("县委书记", "县长", "县委副书记", "常务副县长"), ("市委书记", "市长", "市委副书记", "常务副市长"),
                    ("省委书记", "省长", "常务副省长", "副省长"), ("中央领导同志", "国务院领导同志", "", "")],
                   dtype=object)  # fmt: skip
LEADER_P = np.array(
    [[0.4, 0.3, 0.1, 0.2], [0.35, 0.35, 0.1, 0.2], [0.3, 0.3, 0.2, 0.2], [0.5, 0.5, 0, 0]]
)
INSTRUCTION_P = np.array([0.03, 0.08, 0.15, 0.5])  # share of adoptions a leader instructs
LAG_DAYS = np.array([[1, 5], [2, 10], [4, 20], [7, 30]])  # days after the level below
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严洪武"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚英华玉兰萍红建国志文斌海波宁晓东辉鹏飞燕琳雪梅婷慧颖丹俊峰浩宇凯晨阳欣怡佳嘉轩涵雨思睿博立新春荣丰"
MINUTE = np.timedelta64(1, "m")
DAY = np.timedelta64(1, "D")
NAT = np.datetime64("NaT", "ns")


# ------------------------------------------------------------------ drawing helpers
def _categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One draw per row of ``probs`` (rows sum to 1): the index of the chosen column."""
    return (rng.random(len(probs))[:, None] > np.cumsum(probs, axis=1)[:, :-1]).sum(axis=1)


def _top_k(rng, group: np.ndarray, weights: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Mask of ``k[g]`` rows drawn without replacement in each group ``g``, by weight.

    Exponential keys divided by the weights, smallest first (Efraimidis-Spirakis);
    a row of weight zero is never drawn.
    """
    with np.errstate(divide="ignore"):
        key = rng.exponential(size=len(weights)) / weights
    order = np.lexsort((key, group))
    start = np.searchsorted(group[order], group[order], side="left")
    rank = np.empty(len(group), dtype=np.int64)
    rank[order] = np.arange(len(group)) - start
    return (rank < k[group]) & np.isfinite(key)


def _people(rng, n: int) -> np.ndarray:
    """``n`` distinct Chinese personal names: a surname and a one or two character given name."""
    g = len(GIVEN)
    per_surname = g + g * g
    code = rng.choice(len(SURNAMES) * per_surname, size=n, replace=False)
    surname, rest = np.divmod(code, per_surname)
    chars = np.array([*GIVEN, ""], dtype=object)
    first = np.where(rest < g, rest, (rest - g) // g)
    second = np.where(rest < g, g, (rest - g) % g)
    return np.array(list(SURNAMES), dtype=object)[surname] + chars[first] + chars[second]


def _render(rng, family: str, unit: np.ndarray, topic: np.ndarray) -> np.ndarray:
    """Titles from the templates of ``family``, one template drawn per row."""
    pieces = [re.split(r"\{(unit|topic)\}", t) for t in TEMPLATES[family]]
    head, first, middle, _, tail = (np.array(p, dtype=object) for p in zip(*pieces, strict=True))
    which = rng.integers(len(pieces), size=len(unit))
    unit_first = first[which] == "unit"
    return (head[which] + np.where(unit_first, unit, topic) + middle[which]
            + np.where(unit_first, topic, unit) + tail[which])  # fmt: skip


def _calendar(years: np.ndarray) -> pd.DataFrame:
    """Every day of ``years``: its year position and whether it is a working day in China."""
    import chinese_calendar

    day = pd.date_range(f"{years[0]}-01-01", f"{years[-1]}-12-31", freq="D")
    off = np.isin(day.date, list(chinese_calendar.holidays)) | (day.day_of_week >= 5)
    work = ~off | np.isin(day.date, list(chinese_calendar.workdays))
    return pd.DataFrame({"day": day.values.astype("datetime64[ns]"),
                         "year": np.searchsorted(years, day.year), "work": work})  # fmt: skip


def _draw_days(rng, calendar: pd.DataFrame, year: np.ndarray, weight) -> np.ndarray:
    """One day per row within that row's year position, each day drawn with its ``weight``."""
    weight = pd.Series(np.asarray(weight, dtype=float))
    by_year = weight.groupby(calendar["year"].to_numpy())
    position = (
        calendar["year"].to_numpy() + (by_year.cumsum() / by_year.transform("sum")).to_numpy()
    )
    index = np.searchsorted(position, year + rng.random(len(year)), side="right")
    return calendar["day"].to_numpy()[np.minimum(index, len(calendar) - 1)]


def _office_minutes(rng, n: int) -> np.ndarray:
    """Minutes after midnight: office hours mostly, some evenings."""
    return np.where(rng.random(n) < 0.9, rng.integers(510, 1080, n), rng.integers(1140, 1320, n))


def _typed(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Columns of ``table`` in schema order with stable dtypes (text as str, times as ns)."""
    types = {"datetime": "datetime64[ns]", "int": "int64"}
    frame = frame.reindex(columns=[c.name for c in COLUMNS[table]])  # a missing column is empty
    return frame.astype({c.name: types.get(c.kind, "str") for c in COLUMNS[table]})[
        [c.name for c in COLUMNS[table]]
    ].reset_index(drop=True)


# ------------------------------------------------------------------ the county sample
def _units(rng) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The units table, each unit's class key and its topic pool (units x 8 topics)."""
    rows = [line.split("|") for line in DEPARTMENTS.strip().splitlines()]
    names = TOWNSHIPS + [r[0] for r in rows]
    key = np.array(["乡镇"] * len(TOWNSHIPS) + [r[1] for r in rows])
    own = np.array([r[2].split() for r in rows], dtype=object)
    general = rng.permuted(np.tile(np.array(GENERAL_TOPICS, dtype=object), (len(rows), 1)), axis=1)
    town = rng.permuted(
        np.tile(np.array(TOWNSHIP_TOPICS, dtype=object), (len(TOWNSHIPS), 1)), axis=1
    )
    units = pd.DataFrame({
        "unit": names,
        "group": np.where(key == "乡镇", "乡镇组", "部门组"),
        "class": pd.Series(key).where(key != "乡镇"),
        "aliases": pd.Series(names).map({RENAMED[1]: RENAMED[0]}),
        "quota": pd.Series(key).map({k: v[2] for k, v in VOLUMES.items()}),
    })  # fmt: skip
    return _typed(units, "units"), key, np.vstack([town[:, :8], np.hstack([own, general[:, :5]])])


def _items(
    rng, key: np.ndarray, calendar: pd.DataFrame, n_years: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per item: lead unit, year position, quality, category, times, partners.

    Returns the items (not yet sorted) and the due days of the ten commissions of each year.
    """
    n_units = len(key)
    lo, hi, _, urgent_share = (np.array([VOLUMES[k][i] for k in key]) for i in range(4))
    # a unit's lasting quality: its volume and its adoptions follow it
    talent = np.clip(rng.normal(size=n_units), -2, 1.8)
    quality = np.exp(0.5 * talent + 0.15 * rng.normal(size=(n_years, n_units)))
    position = np.clip(0.5 + 0.22 * talent + 0.12 * rng.normal(size=(n_years, n_units)), 0, 1)
    n_items = np.rint(lo + (hi - lo) * position).astype(np.int64).ravel()
    unit = np.tile(np.arange(n_units), n_years).repeat(n_items)
    year = np.arange(n_years).repeat(n_units).repeat(n_items)
    n, q = len(unit), quality[year, unit]
    category = (rng.random(n) < urgent_share[unit]).astype(np.int64)
    category[(category == 0) & (rng.random(n) < np.clip(0.05 * q / q.mean(), 0, 0.25))] = 2
    category[_top_k(rng, year, (category == 0) * np.sqrt(q), rng.integers(46, 55, n_years))] = 3

    day = _draw_days(rng, calendar, year, np.where(calendar["work"], 1.0, 0.04))
    submitted = day + _office_minutes(rng, n) * MINUTE
    # urgent items: an event at any time (not on 31 December), reported 8 min to 9 h later
    event_day = _draw_days(rng, calendar, year, ~calendar["day"].dt.is_year_end)
    event = event_day + rng.integers(0, 1440, n) * MINUTE
    urgent = category == 1
    n_late = np.rint(0.07 * np.bincount(year[urgent], minlength=n_years)).astype(np.int64)
    late = _top_k(rng, year, urgent.astype(float), n_late)  # 7% of urgent items, over 2 hours
    lag = np.where(late, rng.integers(125, 540, n), rng.integers(8, 110, n))
    # commissioned items: ten requests a year due at 17:30 between February and 20 December
    month, dom = calendar["day"].dt.month, calendar["day"].dt.day
    window = calendar["work"] & month.gt(1) & ~(month.eq(12) & dom.gt(20))
    due_days = _draw_days(rng, calendar, np.arange(n_years).repeat(10), window).reshape(n_years, 10)
    batch = rng.integers(0, 10, n)
    due = due_days[year, batch] + np.timedelta64(1050, "m")
    overdue = rng.random(n) < 0.1
    handed_in = np.where(overdue, due + rng.integers(60, 3 * 1440, n) * MINUTE,
                         due - rng.integers(240, 6 * 1440, n) * MINUTE)  # fmt: skip
    commissioned = category == 3
    # joint items: one partner unit (sometimes two), never the lead unit
    joint = ~urgent & (rng.random(n) < 0.02)
    step1 = rng.integers(1, n_units, n)
    step2 = rng.integers(1, n_units - 1, n)
    step2 = step2 + (step2 >= step1)
    items = pd.DataFrame({
        "unit": unit, "quality": q, "category": np.array(CATEGORIES)[category],
        "event_at": np.where(urgent, event, NAT),
        "submitted_at": np.where(urgent, event + lag * MINUTE, np.where(commissioned, handed_in, submitted)),
        "due_at": np.where(commissioned, due, NAT), "batch": batch, "late": urgent & late,
        "lag": lag, "joint": joint, "partner1": (unit + step1) % n_units,
        "partner2": np.where(joint & (rng.random(n) < 0.15), (unit + step2) % n_units, -1),
    })  # fmt: skip
    return items, due_days


def _cells(
    rng, items: pd.DataFrame, units: pd.DataFrame, informant: np.ndarray, pool, last_year: int
):
    """The text cells of each item: unit names (as called that year), informants and title."""
    current = units["unit"].to_numpy(dtype=object)
    former = np.where(current == RENAMED[1], RENAMED[0], current)
    before_last = items["submitted_at"].dt.year.to_numpy() < last_year

    def name(u):
        return np.where(before_last, former[u], current[u])

    u, p1, p2 = (items[c].to_numpy() for c in ("unit", "partner1", "partner2"))
    joint = items["joint"].to_numpy()
    lead = name(u)
    members = np.where(joint, lead + "、" + name(p1), lead)
    members = np.where(p2 >= 0, members + "、" + name(p2), members)
    n = len(items)
    pick = rng.random(n)
    has_two = informant[1, u] != ""
    people = np.where(has_two & (pick > 0.6), informant[1, u], informant[0, u])
    people = np.where(has_two & (pick > 0.9), informant[0, u] + "、" + informant[1, u], people)
    people = np.where(joint & (rng.random(n) < 0.5), people + "、" + informant[0, p1], people)
    own = rng.random(n) < 0.6
    topic = pool[u, np.where(own, rng.integers(0, 3, n), rng.integers(3, 8, n))]
    incident = np.array(INCIDENTS, dtype=object)[rng.integers(0, len(INCIDENTS), n)]
    category = items["category"].to_numpy()
    topic = np.where(category == "urgent", incident, topic)
    family = np.where(joint, "joint", category)
    title = np.empty(n, dtype=object)
    redo = np.ones(n, dtype=bool)
    day = items["submitted_at"].dt.normalize().to_numpy()
    # redraw titles a unit would repeat on one day (the loader flags them as double entries)
    for _ in range(20):
        for fam in TEMPLATES:  # five template families, each rendered in one vectorised step
            mask = redo & (family == fam)
            title[mask] = _render(
                rng, fam, (members if fam == "joint" else lead)[mask], topic[mask]
            )
        redo = pd.DataFrame({"unit": lead, "title": title, "day": day}).duplicated().to_numpy()
        if not redo.any():
            break
    return lead, members, people, title


def generate(seed: int = 2025, years=(2024, 2025)) -> dict[str, pd.DataFrame]:
    """Generate one county's units, submissions, adoptions, faults, instructions and forwardings.

    Parameters
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives identical frames.
    years : sequence of int
        Consecutive calendar years. 县农业农村局 is called by its former name
        县农业局 in every year but the last (in submissions and faults).

    Returns
    -------
    dict of str to DataFrame
        ``units``, ``submissions``, ``adoptions``, ``faults``, ``instructions``,
        ``forwardings`` in the canonical
        columns of :data:`evalkit.data._schema.COLUMNS`, as a raw file holds them:
        the units and informants of an item joined by 、, enumerations as
        canonical values, datetimes as naive local timestamps.

    Examples
    --------
    >>> tables = generate(seed=1)
    >>> sorted(tables)
    ['adoptions', 'faults', 'forwardings', 'instructions', 'submissions', 'units']
    """
    rng = np.random.default_rng(seed)
    years = np.asarray(sorted(years))
    units, key, pool = _units(rng)
    n_units = len(units)
    n_two = int(rng.integers(22, 29))  # units with a second informant, mostly the busier ones
    volume = np.array([VOLUMES[k][1] for k in key], dtype=float)
    second = _top_k(rng, np.zeros(n_units, dtype=np.int64), volume, np.array([n_two]))
    people = _people(rng, n_units + n_two)
    informant = np.array([people[:n_units], np.full(n_units, "", dtype=object)])
    informant[1, second] = people[n_units:]

    calendar = _calendar(years)
    items, due_days = _items(rng, key, calendar, len(years))
    items = items.sort_values(["submitted_at", "unit"], kind="stable", ignore_index=True)
    items["year"] = items["submitted_at"].dt.year
    sequence = (items.groupby("year").cumcount() + 1).astype(str).str.zfill(4)
    items["submission_id"] = items["year"].astype(str) + "-" + sequence
    lead, members, people_cells, title = _cells(rng, items, units, informant, pool, years[-1])
    items["lead"] = lead
    submissions = items[["submission_id", "category", "event_at", "submitted_at", "due_at"]].assign(
        units=members, informants=people_cells, title=title
    )
    adoptions = _adoptions(rng, items, years)
    faults = _faults(rng, items, units, due_days, years)
    # instructions and forwardings draw from a stream of their own, so the tables
    # above are the same as before these records existed
    extra = np.random.default_rng([seed, 1])
    instructions = _instructions(extra, adoptions)
    forwardings = _forwardings(extra, items, adoptions)
    return {"units": units, "submissions": _typed(submissions, "submissions"),
            "adoptions": _typed(adoptions, "adoptions"), "faults": _typed(faults, "faults"),
            "instructions": _typed(instructions, "instructions"),
            "forwardings": _typed(forwardings, "forwardings")}  # fmt: skip


def _instructions(rng, adoptions: pd.DataFrame) -> pd.DataFrame:
    """Instruction records beyond the one leader an adoption row names (批示记录).

    A further leader of the same level on about a quarter of instructed
    adoptions (two of them in one cell now and then), and a 秘书长 or a general
    office leader (the tiers below 市领导) on about 5% of city adoptions.
    """
    ad = adoptions.reset_index(drop=True)
    level = pd.Categorical(ad["level"], categories=LEVELS).codes
    instructed = ad["instruction_level"].notna().to_numpy() & (level < 3)
    further = instructed & (rng.random(len(ad)) < 0.25)
    # the next title on the level's list after the first leader's (never the same leader)
    first = pd.Series(ad["instructed_by"]).map(
        {t: i for row in LEADERS for i, t in enumerate(row) if t}
    )
    nxt = (first.fillna(0).astype(int).to_numpy() + 1 + rng.integers(0, 2, len(ad))) % 4
    second = LEADERS[level.clip(0, 3), nxt]
    both = further & (rng.random(len(ad)) < 0.2)
    third = LEADERS[level.clip(0, 3), (nxt + 1) % 4]
    leader = np.where(both, second + "、" + third, second)
    tier = (level == 1) & (rng.random(len(ad)) < 0.05)
    tier_level = np.where(rng.random(len(ad)) < 0.6, "city_secretary", "city_office")
    tier_leader = np.where(tier_level == "city_secretary",
                           np.array(["市委秘书长", "市政府秘书长", "市政府副秘书长"])[rng.integers(0, 3, len(ad))],
                           np.array(["市委办公室主任", "市政府办公室主任"])[rng.integers(0, 2, len(ad))])  # fmt: skip
    rows = pd.concat([
        ad[further].assign(leader_level=ad["level"][further], leader=leader[further]),
        ad[tier].assign(leader_level=tier_level[tier], leader=tier_leader[tier]),
    ])  # fmt: skip
    n = len(rows)
    # the adoption is named by level; by outlet too when the item has another at that level
    several = rows.duplicated(["submission_id", "level"], keep=False) | (
        ad.groupby(["submission_id", "level"])["level"].transform("size")[rows.index] > 1
    )
    notes = np.array(["此做法很好，可总结推广。", "请有关部门阅研。", "信息反映的问题要抓紧研究解决。",
                      "经验做法值得肯定。"], dtype=object)  # fmt: skip
    note = notes[rng.integers(0, len(notes), n)]
    directive = (note == notes[1]) | (note == notes[2])
    return pd.DataFrame({
        "submission_id": rows["submission_id"].to_numpy(),
        "adoption_level": rows["level"].to_numpy(),
        "outlet": np.where(several.to_numpy(), rows["outlet"].to_numpy(), None),
        "leader_level": rows["leader_level"].to_numpy(),
        "leader": rows["leader"].to_numpy(),
        "instructed_at": (rows["adopted_at"].dt.normalize().to_numpy() + rng.integers(1, 8, n) * DAY
                          + _office_minutes(rng, n) * MINUTE),
        "kind": np.where(directive, "directive", "affirmative"),
        "note": note,
    }).sort_values(["instructed_at", "submission_id"], kind="stable")  # fmt: skip


def _forwardings(rng, items: pd.DataFrame, adoptions: pd.DataFrame) -> pd.DataFrame:
    """Items the office forwarded upward (转报记录).

    Every item adopted above the county went up through the office (forwarded to
    the city, or straight to the province or the national offices from a city
    adoption), and the office forwards about as many again that are not adopted
    there: 6% of county adoptions to the city, a fifth of city adoptions to the
    province, a tenth of province adoptions to the national offices.
    """
    ad = adoptions.reset_index(drop=True)
    level = pd.Categorical(ad["level"], categories=LEVELS).codes
    ids = items["submission_id"].to_numpy()
    best = np.full((len(ids), 4), np.datetime64("NaT"), dtype="datetime64[ns]")
    row = pd.Index(ids).get_indexer(ad["submission_id"])
    order = np.argsort(ad["adopted_at"].to_numpy())[::-1]  # the earliest adoption per level wins
    best[row[order], level[order]] = ad["adopted_at"].to_numpy()[order]
    adopted = ~np.isnat(best)
    share = np.array([0.06, 0.2, 0.1])  # of the items adopted at the level below, not above
    records = []
    for target in (1, 2, 3):
        below = adopted[:, target - 1]
        chosen = adopted[:, target] | (
            below & ~adopted[:, target] & (rng.random(len(ids)) < share[target - 1])
        )
        # sent the day after it was taken up below (or submitted), before it is adopted above
        base = np.where(below, best[:, target - 1], items["submitted_at"].to_numpy())
        sent = base.astype("datetime64[D]") + DAY + _office_minutes(rng, len(ids)) * MINUTE
        sent = np.where(
            adopted[:, target], np.minimum(sent, best[:, target] - np.timedelta64(60, "m")), sent
        )
        records.append(pd.DataFrame({"submission_id": ids[chosen], "to_level": LEVELS[target],
                                     "forwarded_at": sent[chosen]}))  # fmt: skip
    out = pd.concat(records, ignore_index=True)
    return out.sort_values(["forwarded_at", "submission_id"], kind="stable")


def _adoption_details(rng, level: np.ndarray, research: np.ndarray) -> pd.DataFrame:
    """Outlet, adoption type and leader instruction for adoptions at ``level`` (codes 0-3)."""
    outlet_p = np.where((research & (level == 0))[:, None], RESEARCH_OUTLET_P, OUTLET_P[level])
    instructed = rng.random(len(level)) < INSTRUCTION_P[level]
    leader = LEADERS[level, _categorical(rng, LEADER_P[level])]
    return pd.DataFrame({
        "level": np.array(LEVELS)[level],
        "outlet": OUTLETS[level, _categorical(rng, outlet_p)],
        "adoption_type": np.array(ENUMS["adoption_type"].values)[_categorical(rng, TYPE_P[level])],
        "instruction_level": np.where(instructed, np.array(LEVELS, dtype=object)[level], None),
        "instructed_by": np.where(instructed, leader, None),
    })  # fmt: skip


def _adoptions(rng, items: pd.DataFrame, years: np.ndarray) -> pd.DataFrame:
    """Adoptions at the four levels; an item adopted upward is nearly always adopted by the county."""
    group = np.searchsorted(years, items["year"].to_numpy())
    per_year = np.bincount(group, minlength=len(years))
    q = items["quality"].to_numpy()
    category = pd.Categorical(items["category"], categories=CATEGORIES).codes
    boost, upward_boost = np.array([1, 1.5, 3, 2])[category], np.array([1, 2, 5, 2])[category]

    def draw(weights, low, high):
        return _top_k(rng, group, weights, np.rint(rng.uniform(low, high, len(years)) * per_year))

    county = draw(q**0.8 * boost, 0.33, 0.40)
    city = draw(q * upward_boost * np.where(county, 1, 0.03), 0.026, 0.034)
    province = draw(
        q * upward_boost * np.where(city, 1, np.where(county, 0.05, 0.002)), 0.004, 0.007
    )
    national = _top_k(rng, group, q * np.where(province, 1, np.where(city, 0.01, 0)),
                      rng.integers(1, 4, len(years)))  # fmt: skip
    again = county & (rng.random(len(items)) < 0.04)  # a second county outlet takes it up too
    masks = [county, city, province, national, again]
    item = np.concatenate([np.flatnonzero(m) for m in masks])
    level = np.repeat([0, 1, 2, 3, 0], [m.sum() for m in masks])
    repeat = np.concatenate([np.zeros(len(item) - again.sum(), bool), np.ones(again.sum(), bool)])
    lag = rng.integers(LAG_DAYS[:, 0], LAG_DAYS[:, 1] + 1, size=(len(items), 4)).cumsum(axis=1)
    days = lag[item, level] + np.where(repeat, rng.integers(1, 6, len(item)), 0)
    start = items["submitted_at"].dt.normalize().to_numpy()[item]
    adopted = start + days * DAY + rng.integers(540, 1050, len(item)) * MINUTE
    details = _adoption_details(rng, level, (items["category"].to_numpy() == "research")[item])
    # a repeat is in another county outlet than the item's first county adoption
    code = details["outlet"].map({o: i for i, o in enumerate(OUTLETS[0])}).to_numpy()
    county_outlet = np.full(len(items), -1)
    county_outlet[item[: county.sum()]] = code[: county.sum()]
    other = (county_outlet[item[repeat]] + rng.integers(1, 3, repeat.sum())) % 3
    details.loc[repeat, "outlet"] = OUTLETS[0, other]
    frame = details.assign(submission_id=items["submission_id"].to_numpy()[item], adopted_at=adopted,
                           _level=level)  # fmt: skip
    return frame.sort_values(["adopted_at", "submission_id", "_level"], kind="stable")


def _faults(rng, items: pd.DataFrame, units: pd.DataFrame, due_days, years) -> pd.DataFrame:
    """Faults of every kind; one township with a false item in the last year (a veto case)."""
    late = items[items["late"]]
    hours, minutes = np.divmod(late["lag"].to_numpy(), 60)
    late_rows = pd.DataFrame({
        "unit": late["lead"], "kind": "late", "occurred_at": late["submitted_at"],
        "submission_id": late["submission_id"],
        "note": "事发后" + pd.Series(hours).astype(str).to_numpy() + "小时"
        + pd.Series(minutes).astype(str).to_numpy() + "分钟才报送",
    })  # fmt: skip
    n_units, n_years = len(units), len(years)
    current = units["unit"].to_numpy(dtype=object)
    former = np.where(current == RENAMED[1], RENAMED[0], current)
    named = np.array([former] * (n_years - 1) + [current])  # [year position, unit]
    # omitted and concealed incidents: 1-3 and 1 a year, mostly in townships
    per_year = np.concatenate([rng.integers(1, 4, n_years), np.ones(n_years, dtype=np.int64)])
    kind = np.repeat(["omitted"] * n_years + ["concealed"] * n_years, per_year)
    year = np.tile(np.arange(n_years), 2).repeat(per_year)
    township = units["group"].eq("乡镇组").to_numpy()
    weight = np.where(township, 3.0, 1.0)
    unit = rng.choice(n_units, len(kind), p=weight / weight.sum())
    calendar = _calendar(years)
    when = (
        _draw_days(rng, calendar, year, calendar["work"]) + _office_minutes(rng, len(kind)) * MINUTE
    )
    incident = np.array(INCIDENTS, dtype=object)[rng.integers(0, len(INCIDENTS), len(kind))]
    missing = pd.DataFrame({
        "unit": named[year, unit], "kind": kind, "occurred_at": when, "submission_id": None,
        "note": np.where(kind == "omitted", "辖区" + incident + "，未按要求报送",
                         "辖区" + incident + "，瞒报伤亡及损失情况"),
    })  # fmt: skip
    # commissions not delivered: 3-5 (unit, request) pairs a year among those that did not deliver;
    # in the first year the renamed department is one of them (under its former name)
    done = np.zeros((n_years, n_units, 10), dtype=bool)
    commissioned = items[items["category"].eq("commissioned")]
    year_of = np.searchsorted(years, commissioned["year"].to_numpy())
    done[year_of, commissioned["unit"].to_numpy(), commissioned["batch"].to_numpy()] = True
    n_missed = rng.integers(3, 6, n_years)
    year = np.arange(n_years).repeat(n_missed)
    unit = rng.integers(0, n_units, len(year))
    batch = rng.integers(0, 10, len(year))
    if n_years > 1:
        unit[0] = np.flatnonzero(current == RENAMED[1])[0]
        batch[0] = np.flatnonzero(~done[0, unit[0]])[0]
    keep = ~done[year, unit, batch]
    year, unit, batch = year[keep], unit[keep], batch[keep]
    missed = pd.DataFrame({
        "unit": named[year, unit], "kind": "commission_missed",
        "occurred_at": due_days[year, batch] + np.timedelta64(1050, "m"), "submission_id": None,
        "note": "第" + (batch + 1).astype(str).astype(object) + "期约稿未按时报送",
    })  # fmt: skip
    # a false item: the best township of the last year, on its last urgent (or any) item before December
    last = items[items["year"].eq(years[-1]) & items["submitted_at"].dt.month.lt(12)]
    towns = last[township[last["unit"].to_numpy()]]
    best = towns.groupby("unit")["quality"].mean().idxmax()
    candidates = towns[towns["unit"].eq(best)].assign(urgent=lambda f: f["category"].eq("urgent"))
    chosen = candidates.sort_values(["urgent", "submitted_at"], kind="stable").iloc[[-1]]
    false = pd.DataFrame({
        "unit": chosen["lead"], "kind": "false",
        "occurred_at": chosen["submitted_at"].dt.normalize() + pd.Timedelta(days=3, hours=10),
        "submission_id": chosen["submission_id"], "note": "报送信息与核实情况不符，经查属失实信息",
    })  # fmt: skip
    frames = [late_rows, missing, missed, false]
    return pd.concat(frames, ignore_index=True).sort_values("occurred_at", kind="stable")


# ------------------------------------------------------------------ files as real exports look
def _in_chinese(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Chinese headers (``Column.zh``) and Chinese labels for enumerated values."""
    out = frame.copy()
    for col in COLUMNS[table]:
        if col.enum and col.name in out:
            out[col.name] = out[col.name].map(ENUMS[col.enum].zh)
    return out.rename(columns={c.name: c.zh for c in COLUMNS[table]})


def write_sample(folder: str | Path, seed: int = 2025) -> dict[str, Path]:
    """Write the sample of :func:`generate` into ``folder`` as an office's exports look.

    ``units.xlsx`` and ``submissions.xlsx`` have a title row above the Chinese
    header and real Excel datetimes; ``adoptions.csv`` is UTF-8 with a BOM and
    dates as text like ``2025-03-05 14:30``; ``faults.csv`` is GBK with dates
    like ``2025年3月5日``; ``instructions.xlsx`` (批示记录) and
    ``forwardings.csv`` (转报记录, UTF-8 with a BOM) are the optional records.
    Columns that are empty in every row are left out, as an export leaves out
    what an office does not keep. Two runs with the same seed write the same bytes.

    Parameters
    ----------
    folder : str or Path
        Created if missing; existing files of the same names are replaced.
    seed : int
        Seed passed to :func:`generate`.

    Returns
    -------
    dict of str to Path
        The file written for each table.
    """
    # The sample is written the way an office's export looks, with the pack's own
    # writer; imported here so that the data layer does not depend on outputs.
    from evalkit.outputs._excel import Sheet, write_csv, write_workbook

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        name: _in_chinese(frame.dropna(axis=1, how="all"), name)
        for name, frame in generate(seed).items()
    }
    year = tables["submissions"]["报送时间"].dt.year
    first, last = int(year.min()), int(year.max())
    paths = {
        "units": write_workbook(folder / "units.xlsx", [
            Sheet("单位名单", tables["units"], f"{last}年度信息工作考核单位名单")], title="单位名单"),
        "submissions": write_workbook(folder / "submissions.xlsx", [
            Sheet("报送记录", tables["submissions"], f"{first}—{last}年度信息报送记录")], title="信息报送记录"),
    }  # fmt: skip
    adoptions = tables["adoptions"].assign(
        采用时间=lambda f: f["采用时间"].dt.strftime("%Y-%m-%d %H:%M")
    )
    paths["adoptions"] = write_csv(folder / "adoptions.csv", adoptions)
    faults = tables["faults"]
    when = faults["日期"].dt
    faults = faults.assign(日期=when.year.astype(str) + "年" + when.month.astype(str) + "月"
                          + when.day.astype(str) + "日")  # fmt: skip
    paths["faults"] = folder / "faults.csv"
    paths["faults"].write_bytes(faults.to_csv(index=False, lineterminator="\r\n").encode("gbk"))
    paths["instructions"] = write_workbook(folder / "instructions.xlsx", [
        Sheet("批示记录", tables["instructions"], f"{first}—{last}年度领导批示记录")], title="领导批示记录")  # fmt: skip
    forwardings = tables["forwardings"].assign(
        转报时间=lambda f: f["转报时间"].dt.strftime("%Y-%m-%d %H:%M")
    )
    paths["forwardings"] = write_csv(folder / "forwardings.csv", forwardings)
    return paths


# ------------------------------------------------------------------ a large set for benchmarks
def generate_large(n_submissions: int = 1_000_000, n_adoptions: int = 400_000, n_units: int = 5_000,
                   seed: int = 0, year: int = 2025) -> dict[str, pd.DataFrame]:  # fmt: skip
    """A large data set of one year in the raw form of :func:`generate`, made in seconds.

    Units are named 乡镇00001 / 部门00001 ... (30% townships, departments in
    three classes, every 500th unit with a former name), two informants each;
    about 2% of items are joint. Adoptions nest: the items adopted at a level
    are a subset of those adopted at the level below.

    Parameters
    ----------
    n_submissions, n_adoptions, n_units : int
        Sizes of the tables (``n_adoptions`` at most about twice ``n_submissions``).
    seed : int
        Seed of ``numpy.random.default_rng``.
    year : int
        The calendar year of every submission.

    Returns
    -------
    dict of str to DataFrame
        ``units``, ``submissions``, ``adoptions``, ``faults`` in canonical columns.
    """
    rng = np.random.default_rng(seed)
    n = n_submissions
    town = np.arange(n_units) < n_units * 3 // 10
    key = np.where(town, "乡镇", np.array(["一类", "二类", "三类"])[rng.integers(0, 3, n_units)])
    numbers = np.strings.zfill(np.arange(1, n_units + 1).astype("U"), 5).astype(object)
    names = np.where(town, "乡镇", "部门") + numbers
    units = _typed(pd.DataFrame({
        "unit": names, "group": np.where(town, "乡镇组", "部门组"), "class": np.where(town, None, key),
        "aliases": np.where(np.arange(n_units) % 500 == 0, "原" + names, None),
        "quota": pd.Series(key).map({k: v[2] for k, v in VOLUMES.items()}),
    }), "units")  # fmt: skip
    volume = pd.Series(key).map({k: v[1] for k, v in VOLUMES.items()}).to_numpy(dtype=float)
    lead = rng.choice(n_units, n, p=volume / volume.sum())
    partner = (lead + rng.integers(1, n_units, n)) % n_units
    joint = rng.random(n) < 0.02
    people = _people(rng, 2 * n_units).reshape(n_units, 2)
    category = _categorical(rng, np.tile([0.9, 0.04, 0.05, 0.01], (n, 1)))
    calendar = _calendar(np.array([year]))
    day = calendar["day"].to_numpy()[calendar["work"].to_numpy()]
    submitted = day[rng.integers(0, len(day), n)] + _office_minutes(rng, n) * MINUTE
    pool = np.array(TOWNSHIP_TOPICS + GENERAL_TOPICS, dtype=object)
    submissions = pd.DataFrame({
        "submission_id": f"{year}-" + np.strings.zfill(np.arange(1, n + 1).astype("U"), 7).astype(object),
        "units": np.where(joint, names[lead] + "、" + names[partner], names[lead]),
        "informants": people[lead, (rng.random(n) < 0.3).astype(int)],
        "title": _render(rng, "ordinary", names[lead], pool[rng.integers(0, len(pool), n)]),
        "category": np.array(CATEGORIES)[category],
        "event_at": np.where(category == 1, submitted - rng.integers(8, 300, n) * MINUTE, NAT),
        "submitted_at": submitted,
        "due_at": np.where(category == 3, submitted.astype("datetime64[D]") + rng.integers(-2, 8, n) * DAY
                           + np.timedelta64(1050, "m"), NAT),
    })  # fmt: skip
    shares = np.array([0.0005, 0.012, 0.07])  # national, province, city; the county takes the rest
    upper = np.minimum(np.rint(shares * n_adoptions).astype(np.int64), n)
    counts = np.array(
        [min(n_adoptions - upper.sum(), n), *upper[::-1]]
    )  # county, city, province, national
    adopted_items = rng.permutation(n)
    item = np.concatenate([adopted_items[:c] for c in counts])
    level = np.arange(4).repeat(counts)
    details = _adoption_details(rng, level, category[item] == 2)
    lag = rng.integers(LAG_DAYS[level, 0], LAG_DAYS[level, 1] + 1) + level * 5
    adopted = (
        submitted[item].astype("datetime64[D]")
        + lag * DAY
        + rng.integers(540, 1050, len(item)) * MINUTE
    )
    adoptions = details.assign(
        submission_id=submissions["submission_id"].to_numpy()[item], adopted_at=adopted
    )
    n_faults = max(n_units // 5, 5)
    fault_day = day[rng.integers(0, len(day), n_faults)]
    faults = pd.DataFrame({
        "unit": names[rng.integers(0, n_units, n_faults)],
        "kind": np.array(ENUMS["fault_kind"].values)[np.arange(n_faults) % 5],
        "occurred_at": fault_day + _office_minutes(rng, n_faults) * MINUTE, "submission_id": None,
        "note": "",
    })  # fmt: skip
    return {"units": units, "submissions": _typed(submissions, "submissions"),
            "adoptions": _typed(adoptions, "adoptions"), "faults": _typed(faults, "faults")}  # fmt: skip


def _main(argv: list[str]) -> None:
    from evalkit._paths import SAMPLE_DIR

    folder = Path(argv[0]) if argv else SAMPLE_DIR
    for table, path in write_sample(folder).items():
        print(f"{table:12s} {path}  {path.stat().st_size / 1024:,.0f} KB")


if __name__ == "__main__":
    _main(sys.argv[1:])
