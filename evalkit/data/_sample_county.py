"""The sample county as data (units, topics, title templates, rates) and the generators' drawing helpers."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from evalkit.data._schema import COLUMNS

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


def categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One draw per row of ``probs`` (rows sum to 1): the index of the chosen column."""
    return (rng.random(len(probs))[:, None] > np.cumsum(probs, axis=1)[:, :-1]).sum(axis=1)


def top_k(rng, group: np.ndarray, weights: np.ndarray, k: np.ndarray) -> np.ndarray:
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


def draw_names(rng, n: int) -> np.ndarray:
    """``n`` distinct Chinese personal names: a surname and a one or two character given name."""
    g = len(GIVEN)
    per_surname = g + g * g
    code = rng.choice(len(SURNAMES) * per_surname, size=n, replace=False)
    surname, rest = np.divmod(code, per_surname)
    chars = np.array([*GIVEN, ""], dtype=object)
    first = np.where(rest < g, rest, (rest - g) // g)
    second = np.where(rest < g, g, (rest - g) % g)
    return np.array(list(SURNAMES), dtype=object)[surname] + chars[first] + chars[second]


def render_titles(rng, family: str, unit: np.ndarray, topic: np.ndarray) -> np.ndarray:
    """Titles from the templates of ``family``, one template drawn per row."""
    pieces = [re.split(r"\{(unit|topic)\}", t) for t in TEMPLATES[family]]
    head, first, middle, _, tail = (np.array(p, dtype=object) for p in zip(*pieces, strict=True))
    which = rng.integers(len(pieces), size=len(unit))
    unit_first = first[which] == "unit"
    return (head[which] + np.where(unit_first, unit, topic) + middle[which]
            + np.where(unit_first, topic, unit) + tail[which])  # fmt: skip


def work_calendar(years: np.ndarray) -> pd.DataFrame:
    """Every day of ``years``: its year position and whether it is a working day in China."""
    import chinese_calendar

    day = pd.date_range(f"{years[0]}-01-01", f"{years[-1]}-12-31", freq="D")
    off = np.isin(day.date, list(chinese_calendar.holidays)) | (day.day_of_week >= 5)
    work = ~off | np.isin(day.date, list(chinese_calendar.workdays))
    return pd.DataFrame({"day": day.values.astype("datetime64[ns]"),
                         "year": np.searchsorted(years, day.year), "work": work})  # fmt: skip


def draw_days(rng, calendar: pd.DataFrame, year: np.ndarray, weight) -> np.ndarray:
    """One day per row within that row's year position, each day drawn with its ``weight``."""
    weight = pd.Series(np.asarray(weight, dtype=float))
    by_year = weight.groupby(calendar["year"].to_numpy())
    position = (
        calendar["year"].to_numpy() + (by_year.cumsum() / by_year.transform("sum")).to_numpy()
    )
    index = np.searchsorted(position, year + rng.random(len(year)), side="right")
    return calendar["day"].to_numpy()[np.minimum(index, len(calendar) - 1)]


def office_minutes(rng, n: int) -> np.ndarray:
    """Minutes after midnight: office hours mostly, some evenings."""
    return np.where(rng.random(n) < 0.9, rng.integers(510, 1080, n), rng.integers(1140, 1320, n))


def typed(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Columns of ``table`` in schema order with stable dtypes (text as str, times as ns)."""
    types = {"datetime": "datetime64[ns]", "int": "int64"}
    frame = frame.reindex(columns=[c.name for c in COLUMNS[table]])  # a missing column is empty
    return frame.astype({c.name: types.get(c.kind, "str") for c in COLUMNS[table]})[
        [c.name for c in COLUMNS[table]]
    ].reset_index(drop=True)
