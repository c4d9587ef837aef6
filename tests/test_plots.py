"""Charts: every chart draws, Chinese renders without missing glyphs, files are 16:9 at 200 dpi.

Inputs are small synthetic frames with the columns the scoring, awards and
metrics modules produce: 15 townships and 38 departments (some with long
names), 60 informants, two years of months.
"""

from __future__ import annotations

import io
import warnings

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from evalkit.data._dataset import Dataset
from evalkit.outputs import plots

TOWNS = [
    f"{name}镇"
    for name in "城关 青石 白沙 龙潭 清溪 石门 桃源 新华 长岭 东港 西河 南山 北岭 马头 高桥".split()
]
DEPARTMENTS = [
    "县发展和改革局",
    "县教育局",
    "县科学技术局",
    "县公安局",
    "县民政局",
    "县司法局",
    "县财政局",
    "县人力资源和社会保障局",
    "县自然资源和规划局",
    "县生态环境分局",
    "县住房和城乡建设局",
    "县交通运输局",
    "县水利局",
    "县农业农村局",
    "县商务局",
    "县文化广电旅游体育局",
    "县卫生健康局",
    "县退役军人事务局",
    "县应急管理局",
    "县审计局",
    "县市场监督管理局",
    "县统计局",
    "县医疗保障局",
    "县林业局",
    "县城市管理和综合执法局",
    "县信访局",
    "县政务服务管理局",
    "县乡村振兴局",
    "县数据资源管理局",
    "县机关事务服务中心",
    "中共某某县委政法委员会",
    "县委宣传部",
    "县委组织部",
    "县委统战部",
    "县总工会",
    "团县委",
    "县妇联",
    "县税务局",
]
POINT_COLUMNS = list(plots.COMPONENTS)
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
]


def _units() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": TOWNS + DEPARTMENTS,
            "group": ["乡镇组"] * len(TOWNS) + ["部门组"] * len(DEPARTMENTS),
            "class": [""] * len(TOWNS) + ["一类"] * 12 + ["二类"] * 14 + ["三类"] * 12,
        }
    )


def make_scores(seed: int = 7) -> pd.DataFrame:
    """Unit scores with every points column; one vetoed department; ranks within group."""
    rng = np.random.default_rng(seed)
    units = _units()
    n = len(units)
    points = pd.DataFrame(
        {
            "points_submission": rng.integers(30, 120, n),
            "points_county": rng.integers(40, 300, n) * 1.0,
            "points_city": rng.integers(0, 12, n) * 10.0,
            "points_province": rng.choice([0, 0, 0, 20, 40], n) * 1.0,
            "points_national": np.where(np.arange(n) == 3, 50.0, 0.0),
            "points_instruction": rng.choice([0, 0, 10, 20], n) * 1.0,
            "points_quota": rng.choice([0, 50], n) * 1.0,
            "points_lateness": -rng.choice([0, 0, 0, 2.5, 5], n),
            "points_faults": -rng.choice([0, 0, 0, 0, 10, 30], n) * 1.0,
        }
    )
    scores = pd.concat([units, points], axis=1)
    scores["score"] = points.sum(axis=1)
    scores["vetoed"] = scores["unit"] == "县信访局"
    scores["rank"] = (
        scores.groupby("group")["score"].rank(method="min", ascending=False).astype(int)
    )
    scores["n_items"] = rng.integers(20, 120, n)
    scores["n_adopted"] = (scores["n_items"] * rng.uniform(0.2, 0.5, n)).astype(int)
    return scores


def make_awards(scores: pd.DataFrame, informants: pd.DataFrame) -> pd.DataFrame:
    towns = scores[scores["group"] == "乡镇组"].nsmallest(5, "rank")
    tiers = ["一等奖", "二等奖", "二等奖", "三等奖", "三等奖"]
    depts = scores[(scores["group"] == "部门组") & ~scores["vetoed"]].nsmallest(8, "rank")
    people = informants.nsmallest(15, "rank")
    frames = [
        towns.assign(kind="unit", award=tiers, informant=None),
        depts.assign(kind="unit", award="先进单位", informant=None),
        people.assign(kind="informant", award="优秀信息员"),
    ]
    columns = ["kind", "group", "award", "unit", "informant", "score", "rank"]
    return pd.concat([f[columns] for f in frames], ignore_index=True)


def make_informants(seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    units = _units()
    n = 60
    names = [SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] for i in range(n)]
    home = units.iloc[rng.integers(0, len(units), n)].reset_index(drop=True)
    frame = pd.DataFrame({"informant": names, "unit": home["unit"], "group": home["group"]})
    frame["score"] = np.round(rng.gamma(3, 40, n), 1)
    frame["rank"] = frame["score"].rank(method="min", ascending=False).astype(int)
    frame["n_items"] = rng.integers(5, 60, n)
    frame["n_adopted"] = (frame["n_items"] * 0.35).astype(int)
    return frame


def make_metrics(seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    units = _units()
    n = len(units)
    submitted = rng.integers(15, 120, n)
    county = rng.binomial(submitted, 0.38)
    city = rng.binomial(county, 0.08)
    province = rng.binomial(city, 0.15)
    national = np.where(np.arange(n) == 3, 1, 0)
    frame = units.assign(
        submitted=submitted,
        adopted=county,
        adopted_county=county,
        adopted_city=city,
        adopted_province=province,
        adopted_national=national,
    )
    frame["rate"] = frame["adopted"] / frame["submitted"]
    return frame


def make_monthly(seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    season = np.array([0.6, 0.5, 1.0, 1.0, 1.1, 1.2, 1.0, 0.9, 1.0, 0.9, 1.1, 1.3])
    frames = []
    for year, scale in ((2024, 270), (2025, 300)):
        submitted = rng.poisson(scale * season)
        frames.append(
            pd.DataFrame(
                {
                    "year": year,
                    "month": range(1, 13),
                    "submitted": submitted,
                    "adopted": rng.binomial(submitted, 0.37),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def make_funnel(metrics: pd.DataFrame):
    """Points and binomial control limits (normal approximation), computed here by hand."""
    points = metrics[["unit", "group", "submitted", "adopted", "rate"]].copy()
    points.loc[points["unit"] == "城关镇", ["adopted", "rate"]] = [
        70,
        70 / points.loc[0, "submitted"],
    ]
    p = points["adopted"].sum() / points["submitted"].sum()
    n = np.arange(5, 125, dtype=float)
    se = np.sqrt(p * (1 - p) / n)
    limits = pd.DataFrame(
        {
            "n": n,
            "p": p,
            "lo95": p - 1.96 * se,
            "hi95": p + 1.96 * se,
            "lo998": p - 3.09 * se,
            "hi998": p + 3.09 * se,
        }
    )
    return points, limits


def make_lags(seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    urgent = pd.DataFrame(
        {
            "category": "urgent",
            "lag_hours": rng.lognormal(np.log(0.8), 0.9, 120),
            "deadline_hours": 2.0,
        }
    )
    commissioned = pd.DataFrame(
        {
            "category": "commissioned",
            "lag_hours": rng.lognormal(np.log(60), 0.7, 50),
            "deadline_hours": 120.0,
        }
    )
    commissioned.loc[:4, "lag_hours"] = np.nan  # no event time known
    frame = pd.concat([urgent, commissioned], ignore_index=True)
    frame["late"] = frame["lag_hours"] > frame["deadline_hours"]
    frame.loc[frame["lag_hours"].isna(), "late"] = False
    frame["submission_id"] = [f"X{i:04d}" for i in range(len(frame))]
    frame["unit"] = TOWNS[0]
    return frame


def make_heatmap(seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    units = _units()
    grid = units.merge(pd.DataFrame({"month": range(1, 13)}), how="cross")
    grid["value"] = rng.poisson(7, len(grid))
    return grid[["unit", "group", "month", "value"]]


def make_compare(scores: pd.DataFrame, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    table = scores[["unit", "group", "score", "rank"]].rename(
        columns={"score": "score_a", "rank": "rank_a"}
    )
    table["score_b"] = table["score_a"] * rng.uniform(0.8, 1.2, len(table))
    table["rank_b"] = (
        table.groupby("group")["score_b"].rank(method="min", ascending=False).astype(int)
    )
    table["rank_change"] = table["rank_a"] - table["rank_b"]
    return table


def make_bands(scores: pd.DataFrame, seed: int = 7) -> pd.DataFrame:
    """Rank bands around each unit's rank: 0-2 places either way, the median inside."""
    rng = np.random.default_rng(seed)
    bands = scores[["unit", "group", "score", "rank"]].copy()
    size = bands.groupby("group")["rank"].transform("max")
    bands["rank_p05"] = (bands["rank"] - rng.integers(0, 3, len(bands))).clip(lower=1)
    bands["rank_p95"] = np.minimum(bands["rank"] + rng.integers(0, 3, len(bands)), size)
    bands["rank_median"] = (bands["rank"] + rng.integers(-1, 2, len(bands))).clip(
        bands["rank_p05"], bands["rank_p95"]
    )
    return bands


def all_charts(lang: str = "zh") -> dict[str, Figure]:
    """Every chart on the synthetic inputs, by file name."""
    scores = make_scores()
    informants = make_informants()
    awards = make_awards(scores, informants)
    metrics = make_metrics()
    points, limits = make_funnel(metrics)
    compare = make_compare(scores)
    return {
        "ranking_towns": plots.plot_ranking(scores, awards, group="乡镇组", year=2025, lang=lang),
        "ranking_departments": plots.plot_ranking(
            scores, awards, group="部门组", year=2025, lang=lang
        ),
        "composition_towns": plots.plot_composition(scores, group="乡镇组", year=2025, lang=lang),
        "composition_departments": plots.plot_composition(
            scores, group="部门组", year=2025, lang=lang
        ),
        "adoption_funnel": plots.plot_adoption_funnel(metrics, year=2025, lang=lang),
        "monthly": plots.plot_monthly(make_monthly(), 2025, lang=lang),
        "funnel": plots.plot_funnel(points, limits, year=2025, lang=lang),
        "timeliness": plots.plot_timeliness(make_lags(), year=2025, lang=lang),
        "heatmap": plots.plot_heatmap(make_heatmap(), 2025, lang=lang),
        "top_informants": plots.plot_top_informants(informants, 20, awards, year=2025, lang=lang),
        "bump": plots.plot_bump(compare, "2024年规则", "2025年规则", group="部门组", lang=lang),
        "rank_bands": plots.plot_rank_bands(make_bands(scores), "部门组", year=2025, lang=lang),
        "improvement": plots.plot_improvement(
            plots.score_changes(scores, make_scores(seed=8)), year=2025, lang=lang
        ),
        "late": plots.plot_late(
            metrics.assign(
                urgent_late=np.arange(len(metrics)) % 3,
                commissioned_missed=(np.arange(len(metrics)) % 5 == 0).astype(int),
            ),
            year=2025,
            lang=lang,
        ),
    }


# --- helpers ---------------------------------------------------------------------------


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def _draw_strictly(fig: Figure, formats=("png", "svg")) -> None:
    """Render with every warning an error (missing glyphs included); low dpi, for speed."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fmt in formats:
            fig.savefig(io.BytesIO(), format=fmt, dpi=40)


def _ytick_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels()]


def _bar_patches(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


# --- every chart ---------------------------------------------------------------------------

CHART_NAMES = [
    "ranking_towns",
    "ranking_departments",
    "composition_towns",
    "composition_departments",
    "adoption_funnel",
    "monthly",
    "funnel",
    "timeliness",
    "heatmap",
    "top_informants",
    "bump",
    "rank_bands",
    "improvement",
    "late",
]


@pytest.fixture(scope="module", params=["zh", "en"])
def charts(request):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return request.param, all_charts(request.param)


def test_every_chart_is_made(charts):
    _, figures = charts
    assert sorted(figures) == sorted(CHART_NAMES)
    assert all(isinstance(fig, Figure) for fig in figures.values())


@pytest.mark.parametrize("name", CHART_NAMES)
def test_chart_renders_every_glyph(charts, name):
    _draw_strictly(charts[1][name])


@pytest.mark.parametrize("name", CHART_NAMES)
def test_chart_renders_every_glyph_when_drawn_outside_the_style(charts, name):
    # Jupyter draws a returned figure later, under the user's own rc settings.
    with mpl.rc_context({"font.family": ["DejaVu Sans"], "axes.unicode_minus": True}):
        _draw_strictly(charts[1][name], formats=("png",))


@pytest.mark.parametrize("name", CHART_NAMES)
def test_chart_is_16_by_9(charts, name):
    width, height = charts[1][name].get_size_inches()
    assert width / height == pytest.approx(16 / 9, rel=1e-3)


def test_chinese_charts_have_chinese_titles(charts):
    lang, figures = charts
    title = figures["ranking_towns"]._suptitle.get_text()
    expected = (
        "2025年度乡镇组信息工作得分排名"
        if lang == "zh"
        else "2025 information work scores: Townships"
    )
    assert title == expected


def test_making_charts_leaves_global_state_alone():
    before = dict(mpl.rcParams)
    figures = all_charts("zh")
    assert dict(mpl.rcParams) == before
    assert plt.get_fignums() == []
    assert len(figures) == len(CHART_NAMES)


# --- saving --------------------------------------------------------------------------------


def test_save_figure_writes_png_at_200_dpi_and_svg(tmp_path):
    fig = plots.plot_ranking(make_scores(), group="乡镇组", year=2025)
    written = plots.save_figure(fig, tmp_path / "charts" / "ranking.2025")

    assert written == [
        tmp_path / "charts" / "ranking.2025.png",
        tmp_path / "charts" / "ranking.2025.svg",
    ]
    height, width, _ = plt.imread(written[0]).shape
    assert (width, height) == (int(13.333 * 200), 1500)
    svg = written[1].read_text()
    assert svg.startswith("<?xml") and "<text" not in svg  # glyphs as outlines


def test_save_figure_is_reproducible(tmp_path):
    fig = plots.plot_monthly(make_monthly(), 2025)
    first = [p.read_bytes() for p in plots.save_figure(fig, tmp_path / "a")]
    second = [p.read_bytes() for p in plots.save_figure(fig, tmp_path / "b")]
    assert first == second


# --- ranking -------------------------------------------------------------------------------

SMALL_SCORES = pd.DataFrame(
    {
        "unit": ["甲镇", "乙镇", "丙镇", "丁镇", "某局"],
        "group": ["乡镇组"] * 4 + ["部门组"],
        "score": [120.0, 300.0, 180.0, 90.0, 50.0],
        "rank": [3, 1, 2, 4, 1],
        "vetoed": [False, False, False, True, False],
    }
)
SMALL_AWARDS = pd.DataFrame(
    {
        "kind": ["unit", "unit", "unit"],
        "group": ["乡镇组", "乡镇组", "部门组"],
        "award": ["一等奖", "二等奖", "先进单位"],
        "unit": ["乙镇", "丙镇", "某局"],
    }
)


def test_ranking_sorts_by_rank_and_marks_awards_and_veto():
    fig = plots.plot_ranking(SMALL_SCORES, SMALL_AWARDS, group="乡镇组")
    (ax,) = fig.axes
    # 丁镇 is vetoed: no place in the ranking, named as vetoed, its bar empty and hatched
    assert _ytick_texts(ax) == ["1  乙镇", "2  丙镇", "3  甲镇", "丁镇（一票否决）"]
    bars = _bar_patches(ax)
    assert [p.get_width() for p in bars] == [300.0, 180.0, 120.0, 90.0]
    assert bars[3].get_hatch() == "///" and to_hex(bars[3].get_facecolor()) == "#ffffff"
    assert len({to_hex(p.get_facecolor()) for p in bars[:3]}) == 2  # awarded full, others tint
    texts = _texts(fig)
    assert texts.count("一等奖") == 1 and texts.count("二等奖") == 1  # beside their bars
    assert "先进单位" not in texts  # another group's award
    assert texts.count("一票否决") == 2  # beside the bar and in the legend
    assert ["300", "180", "120", "90"] == [t.get_text() for t in ax.texts[:4]]


def test_ranking_legend_shows_the_bars_as_drawn():
    fig = plots.plot_ranking(SMALL_SCORES, SMALL_AWARDS, group="乡镇组")
    legend = fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == ["获奖", "未获奖", "一票否决"]
    bars = _bar_patches(fig.axes[0])
    drawn = [to_hex(bars[0].get_facecolor()), to_hex(bars[2].get_facecolor()), "#ffffff"]
    assert [to_hex(h.get_facecolor()) for h in legend.legend_handles] == drawn


def test_ranking_needs_a_group_when_there_are_several():
    with pytest.raises(ValueError, match="pass group="):
        plots.plot_ranking(SMALL_SCORES)
    with pytest.raises(ValueError, match="no rows for group"):
        plots.plot_ranking(SMALL_SCORES, group="不存在组")


def test_ranking_of_38_units_splits_into_two_panels_of_19():
    fig = plots.plot_ranking(make_scores(), group="部门组")
    assert [len(_ytick_texts(ax)) for ax in fig.axes] == [19, 19]
    assert _ytick_texts(fig.axes[1])[0].startswith("20  ")


def test_ranking_does_not_change_its_inputs():
    scores, awards = SMALL_SCORES.copy(), SMALL_AWARDS.copy()
    plots.plot_ranking(scores, awards, group="乡镇组")
    pd.testing.assert_frame_equal(scores, SMALL_SCORES)
    pd.testing.assert_frame_equal(awards, SMALL_AWARDS)


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="lang"):
        plots.plot_ranking(SMALL_SCORES, group="乡镇组", lang="fr")


# --- composition ---------------------------------------------------------------------------


def test_composition_stacks_gains_right_and_penalties_left():
    scores = pd.DataFrame(
        {
            "unit": ["甲镇", "乙镇"],
            "group": "乡镇组",
            "score": [55.0, 65.0],
            "rank": [2, 1],
            "points_submission": [20.0, 10.0],
            "points_county": [40.0, 60.0],
            "points_city": [0.0, 0.0],  # all zero: left out
            "points_faults": [-5.0, -5.0],
        }
    )
    fig = plots.plot_composition(scores)
    ax = fig.axes[0]
    assert _ytick_texts(ax) == ["1  乙镇", "2  甲镇"]
    rows = pd.DataFrame(
        [
            (round(p.get_y() + p.get_height() / 2), p.get_x(), p.get_x() + p.get_width())
            for p in _bar_patches(ax)
        ],
        columns=["row", "x0", "x1"],
    ).groupby("row")
    right_end = rows[["x0", "x1"]].max().max(axis=1).to_dict()
    left_end = rows[["x0", "x1"]].min().min(axis=1).to_dict()
    assert right_end == {0: 70.0, 1: 60.0}  # 乙镇 10 + 60, 甲镇 20 + 40
    assert left_end == {0: -5.0, 1: -5.0}
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["报送分", "县级采用分", "问题扣分"]


def test_composition_draws_a_missed_quota_as_a_penalty_and_marks_a_veto():
    scores = pd.DataFrame(
        {
            "unit": ["甲镇", "乙镇"],
            "group": "乡镇组",
            "score": [30.0, 50.0],
            "rank": [1, 2],
            "vetoed": [False, True],
            "points_county": [40.0, 60.0],
            "points_quota": [-10.0, -10.0],
        }
    )
    fig = plots.plot_composition(scores)
    ax = fig.axes[0]
    assert _ytick_texts(ax) == ["1  甲镇", "乙镇（一票否决）"]
    colours = {to_hex(p.get_facecolor())[:7] for p in _bar_patches(ax) if p.get_width() < 0}
    assert colours == {plots.COMPONENTS["points_quota_penalty"].lower()}  # not the quota green
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["县级采用分", "任务未完成扣分", "一票否决"]
    vetoed_bars = [p for p in _bar_patches(ax) if round(p.get_y() + p.get_height() / 2) == 1]
    assert all(p.get_hatch() == "///" for p in vetoed_bars)


# --- adoption funnel -----------------------------------------------------------------------


def _tiny_dataset() -> Dataset:
    """Four items submitted in 2025 (S2 joint), one in 2024; adoptions counted by hand below."""
    submissions = pd.DataFrame(
        {
            "submission_id": ["S1", "S2", "S3", "S4", "S0"],
            "submitted_at": pd.to_datetime(
                ["2025-01-05", "2025-01-20", "2025-03-02", "2025-12-30", "2024-12-30"]
            ),
            "units": ["甲镇", "甲镇、某局", "某局", "甲镇", "甲镇"],
            "title": ["一", "二", "三", "四", "零"],
            "category": "ordinary",
        }
    )
    submission_units = pd.DataFrame(
        {
            "submission_id": ["S1", "S2", "S2", "S3", "S4", "S0"],
            "unit": ["甲镇", "甲镇", "某局", "某局", "甲镇", "甲镇"],
        }
    )
    levels = ["county", "city", "county", "county", "province", "county", "city"]
    adoptions = pd.DataFrame(
        {
            "adoption_id": [f"A{i}" for i in range(7)],
            "submission_id": ["S1", "S1", "S2", "S2", "S3", "S0", "S4"],
            "level": pd.Categorical(
                levels, categories=["county", "city", "province", "national"], ordered=True
            ),  # fmt: skip
            "outlet": "要情快报",
            "adoption_type": "single",
            "adopted_at": pd.to_datetime(
                [
                    "2025-01-10",
                    "2025-02-01",
                    "2025-01-25",
                    "2025-02-25",
                    "2025-03-20",
                    "2025-01-08",
                    "2026-01-05",
                ]
            ),  # fmt: skip
            "instruction_level": None,
            "instructed_by": None,
        }
    )
    units = pd.DataFrame(
        {"unit": ["甲镇", "某局", "乙镇"], "group": ["乡镇组", "部门组", "乡镇组"]}
    )
    empty = pd.DataFrame()
    return Dataset(units, submissions, submission_units, empty, adoptions, empty)


def test_adoption_funnel_counts_items_adopted_in_the_year_as_the_workbook_does():
    fig = plots.plot_adoption_funnel(_tiny_dataset(), year=2025)
    heights = [p.get_height() for p in _bar_patches(fig.axes[0])]
    # submitted in 2025: S1-S4. Adopted in 2025 (adoption date, as metrics.adopted_items and
    # the workbook count): county S1, S2 (twice, one item) and S0 (submitted in 2024, adopted
    # in January) = 3; city S1 = 1 (S4's city adoption is in 2026); province S3 = 1.
    assert heights[:4] == [4, 3, 1, 1]
    assert heights[4] == 0
    assert fig.axes[0].get_yscale() == "log"


def test_adoption_funnel_sums_the_rows_of_a_frame():
    metrics = pd.DataFrame(
        {
            "submitted": [100, 50],
            "adopted_county": [40, 10],
            "adopted_city": [4, 1],
            "adopted_province": [1, 0],
            "adopted_national": [0, 1],
        }
    )
    fig = plots.plot_adoption_funnel(metrics, lang="en")
    assert [p.get_height() for p in _bar_patches(fig.axes[0])] == [150, 50, 5, 1, 1]
    assert "50\n33.3% of submitted" in _texts(fig)


def test_unit_month_counts_credit_a_joint_item_to_each_unit():
    counts = plots.unit_month_counts(_tiny_dataset(), 2025)
    assert len(counts) == 3 * 12
    nonzero = counts[counts["value"] > 0].reset_index(drop=True)
    expected = pd.DataFrame(
        {
            "unit": ["甲镇", "甲镇", "某局", "某局"],
            "group": ["乡镇组", "乡镇组", "部门组", "部门组"],
            "month": [1, 12, 1, 3],
            "value": [2, 1, 1, 1],
        }
    )
    pd.testing.assert_frame_equal(nonzero, expected, check_dtype=False)


def test_heatmap_from_a_dataset_shows_every_unit():
    fig = plots.plot_heatmap(_tiny_dataset(), 2025)
    _draw_strictly(fig)
    assert _ytick_texts(fig.axes[0]) == ["甲镇", "乙镇", "某局"]  # by group, then year total


def test_heatmap_writes_each_count_in_its_cell():
    fig = plots.plot_heatmap(_tiny_dataset(), 2025)
    cells = {
        c.get_label(): (sorted(map(tuple, c.get_offsets().tolist())), to_hex(c.get_facecolor()[0]))
        for c in fig.axes[0].collections
    }
    # rows 0 甲镇, 1 乙镇, 2 某局 at y = row; month m at x = m. 甲镇: 2 in January, 1 in
    # December; 某局: 1 in January and March. The largest count (2) is written in white.
    assert cells["_cells 2"] == ([(1, 0)], "#ffffff")
    assert cells["_cells 1"] == ([(1, 2), (3, 2), (12, 0)], "#222222")
    assert len(cells["_cells 0"][0]) == 3 * 12 - 4
    assert sorted(cells) == ["_cells 0", "_cells 1", "_cells 2"]


# --- monthly -------------------------------------------------------------------------------


def test_monthly_leaves_months_not_yet_reported_blank():
    monthly = pd.DataFrame(
        {
            "year": 2025,
            "month": range(1, 13),
            "submitted": [5, 0, 7] + [0] * 9,
            "adopted": [2, 0, 3] + [0] * 9,
        }
    )
    fig = plots.plot_monthly(monthly, 2025)
    assert [t.get_text() for t in fig.axes[0].texts] == ["5", "0", "7"] + [""] * 9
    assert "（与" not in fig._suptitle.get_text()  # no previous year in the data


# --- funnel plot ---------------------------------------------------------------------------


def test_funnel_plot_names_the_units_outside_the_95_limits():
    points = pd.DataFrame(
        {
            "unit": ["甲镇", "乙镇", "丙镇", "某局"],
            "group": ["乡镇组"] * 3 + ["部门组"],
            "submitted": [50, 60, 70, 80],
            "rate": [0.45, 0.60, 0.20, 0.31],
        }
    )
    limits = pd.DataFrame(
        {"n": [1, 200], "p": 0.4, "lo95": 0.3, "hi95": 0.5, "lo998": 0.25, "hi998": 0.55}
    )
    fig = plots.plot_funnel(points, limits)
    named = {t.get_text() for t in fig.axes[0].texts}
    assert named == {"乙镇", "丙镇"}


# --- timeliness ----------------------------------------------------------------------------


def test_timeliness_counts_items_and_late_ones_per_category():
    lags = pd.DataFrame(
        {
            "category": ["urgent", "urgent", "urgent", "commissioned"],
            "lag_hours": [0.5, 1.5, 3.0, np.nan],
            "deadline_hours": [2.0, 2.0, 2.0, np.nan],
            "late": [False, False, True, pd.NA],
        }
    )
    fig = plots.plot_timeliness(lags)
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert titles == ["紧急  共3条，迟报1条", "约稿  共1条，迟报0条"]
    drawn = sum(p.get_height() for p in _bar_patches(fig.axes[0]))
    assert drawn == 3
    _draw_strictly(fig)


# --- top informants ------------------------------------------------------------------------


def test_top_informants_shows_the_n_best_with_their_units():
    informants = make_informants()
    fig = plots.plot_top_informants(informants, n=5)
    best = informants.sort_values(["rank", "informant"]).head(5)
    expected = [
        f"{r}  {i}（{u}）"
        for r, i, u in zip(best["rank"], best["informant"], best["unit"], strict=True)
    ]
    assert _ytick_texts(fig.axes[0]) == expected


def test_top_informants_shows_exactly_the_commended_informants():
    informants = pd.DataFrame(
        {
            "informant": ["张三", "李四", "王五", "赵六"],
            "unit": ["甲镇", "某局", "乙镇", "某局"],
            "group": ["乡镇组", "部门组", "乡镇组", "部门组"],
            "score": [90.0, 80.0, 70.0, 60.0],
            "rank": [1, 2, 3, 4],
        }
    )
    # 李四 (rank 2) is not commended (say, a vetoed unit); 赵六 (rank 4) is.
    awards = pd.DataFrame(
        {
            "kind": ["informant"] * 3,
            "group": ["乡镇组", "乡镇组", "部门组"],
            "award": "优秀信息员",
            "unit": ["甲镇", "乙镇", "某局"],
            "informant": ["张三", "王五", "赵六"],
        }
    )
    fig = plots.plot_top_informants(informants, 2, awards)
    assert _ytick_texts(fig.axes[0]) == ["1  张三（甲镇）", "3  王五（乙镇）", "4  赵六（某局）"]
    assert fig._suptitle.get_text() == "优秀信息员（3名）"


def test_improvement_shows_each_groups_largest_gains_with_the_move_in_rank():
    now = pd.DataFrame(
        {
            "unit": ["甲镇", "乙镇", "丙镇", "某局", "另局"],
            "group": ["乡镇组"] * 3 + ["部门组"] * 2,
            "score": [100.0, 90.0, 50.0, 80.0, 70.0],
            "rank": [1, 2, 3, 1, 2],
            "vetoed": [False, False, False, False, True],
        }
    )
    before = now.assign(score=[60.0, 95.0, 20.0, 79.5, 30.0], rank=[2, 1, 3, 1, 2])
    fig = plots.plot_improvement(plots.score_changes(now, before), top=2, year=2025)
    towns, departments = fig.axes
    # 甲镇 +40, 丙镇 +30 (乙镇 fell: left out); 另局 +40 (vetoed), 某局 +0.5
    assert _ytick_texts(towns) == ["甲镇", "丙镇"]
    assert [p.get_width() for p in _bar_patches(towns)] == [40.0, 30.0]
    assert _ytick_texts(departments) == ["另局（一票否决）", "某局"]
    assert _bar_patches(departments)[0].get_hatch() == "///"
    assert "+40.0  第2→1名" in _texts(fig) and "+0.5  第1→1名" in _texts(fig)
    assert fig._suptitle.get_text() == "2025年度得分较2024年提高最多的单位"


def test_late_stacks_each_units_late_and_missed_items_most_first():
    metrics = pd.DataFrame(
        {
            "unit": ["甲镇", "乙镇", "某局"],
            "group": ["乡镇组", "乡镇组", "部门组"],
            "urgent_late": [1, 0, 2],
            "commissioned_late": [0, 0, 1],
            "commissioned_missed": [0, 0, 0],  # none anywhere: not in the legend
            "faults_omitted": [1, 0, 0],
            "vetoed": [False, False, True],
        }
    )
    fig = plots.plot_late(metrics, year=2025, lang="en")
    (ax,) = fig.axes
    assert _ytick_texts(ax) == ["某局 (vetoed)", "甲镇"]  # 乙镇 has none
    ends = {
        round(p.get_y() + p.get_height() / 2): p.get_x() + p.get_width() for p in _bar_patches(ax)
    }
    assert ends == {0: 3.0, 1: 2.0}
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["Urgent items late", "Commissions late", "Omitted"]


# --- bump ----------------------------------------------------------------------------------


def test_bump_colours_units_that_move_at_least_three_places():
    table = pd.DataFrame(
        {
            "unit": list("ABCDE"),
            "group": "部门组",
            "rank_a": [1, 2, 3, 4, 5],
            "rank_b": [4, 1, 2, 3, 5],
        }
    )
    fig = plots.plot_bump(table)
    (ax,) = fig.axes
    segments = ax.collections[0].get_segments()
    colours = [mpl.colors.to_hex(c) for c in ax.collections[0].get_colors()]
    ends = {(s[0][1], s[1][1]): c for s, c in zip(segments, colours, strict=True)}
    # positions are orders: A goes from place 0 to place 3, the others move up by one
    assert ends[(0.0, 3.0)] == plots.FALL_COLOUR.lower()
    assert [c for k, c in ends.items() if k != (0.0, 3.0)] == [plots.STEADY_COLOUR.lower()] * 4
    left = [t.get_text() for t in ax.texts if t.get_ha() == "right"]
    assert left == ["1  A", "2  B", "3  C", "4  D", "5  E"]
    assert fig._suptitle.get_text() == "部门组名次对比：方案A → 方案B"
    # only a fall is drawn, so the legend names only the fall's colour
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == ["下降3名及以上"]
    assert [mpl.colors.to_hex(h.get_facecolor()) for h in legend.legend_handles] == [
        plots.FALL_COLOUR.lower()
    ]


def test_bump_marks_a_unit_vetoed_under_one_rule_set():
    # B is vetoed under the second rule set: last there, its right-hand dot hollow, its
    # name marked instead of given a rank; on the left it keeps rank 2.
    table = pd.DataFrame(
        {
            "unit": list("ABC"),
            "group": "部门组",
            "rank_a": [1, 2, 3],
            "rank_b": [1, 3, 2],
            "vetoed_a": False,
            "vetoed_b": [False, True, False],
        }
    )
    fig = plots.plot_bump(table)
    (ax,) = fig.axes
    left = [t.get_text() for t in ax.texts if t.get_ha() == "right"]
    right = [t.get_text() for t in ax.texts if t.get_ha() == "left"]
    assert left == ["1  A", "2  B", "3  C"]
    assert right == ["A  1", "B（一票否决）", "C  2"]
    right_dots = ax.collections[2]
    faces = [mpl.colors.to_hex(c) for c in right_dots.get_facecolors()]
    hollow = [
        tuple(p) for p, f in zip(right_dots.get_offsets(), faces, strict=True) if f == "#ffffff"
    ]
    assert hollow == [(1.0, 2.0)]  # B is drawn in the last place on the right
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()][-1] == "一票否决"


def test_bump_without_moves_has_no_legend():
    table = pd.DataFrame(
        {"unit": ["A", "B"], "group": "部门组", "rank_a": [1, 2], "rank_b": [1, 2]}
    )
    assert plots.plot_bump(table).legends == []


# --- rank bands ----------------------------------------------------------------------------

SMALL_BANDS = pd.DataFrame(
    {
        "unit": ["丙镇", "甲镇", "某局", "丁镇", "乙镇"],
        "group": ["乡镇组", "乡镇组", "部门组", "乡镇组", "乡镇组"],
        "rank": [3, 1, 1, 4, 2],
        "rank_median": [2, 1, 1, 4, 3],
        "rank_p05": [2, 1, 1, 4, 2],
        "rank_p95": [3, 1, 1, 4, 4],
    }
)


def test_rank_bands_draw_a_line_from_p05_to_p95_with_the_median_and_the_rank():
    fig = plots.plot_rank_bands(SMALL_BANDS, "乡镇组", year=2025)
    (ax,) = fig.axes
    assert _ytick_texts(ax) == ["1  甲镇", "2  乙镇", "3  丙镇", "4  丁镇"]
    assert ax.yaxis_inverted()  # row 0, rank 1, at the top
    lines, medians, ranks = ax.collections
    # 乙镇 (row 1) may fall anywhere from 2nd to 4th; 丙镇 (row 2) from 2nd to 3rd.
    assert [s.tolist() for s in lines.get_segments()] == [
        [[1, 0], [1, 0]],
        [[2, 1], [4, 1]],
        [[2, 2], [3, 2]],
        [[4, 3], [4, 3]],
    ]
    assert medians.get_offsets().tolist() == [[1, 0], [3, 1], [2, 2], [4, 3]]
    assert ranks.get_offsets().tolist() == [[1, 0], [2, 1], [3, 2], [4, 3]]
    assert [t.get_text() for t in ax.texts] == ["2–4", "2–3"]  # only where there is a line
    assert fig._suptitle.get_text() == "2025年度乡镇组名次不确定性（5%-95%区间）"


def test_rank_bands_need_a_group_when_there_are_several_and_their_columns():
    with pytest.raises(ValueError, match="pass group="):
        plots.plot_rank_bands(SMALL_BANDS)
    with pytest.raises(ValueError, match="rank_p95"):
        plots.plot_rank_bands(SMALL_BANDS.drop(columns="rank_p95"), "乡镇组")


def test_rank_bands_name_a_vetoed_unit_as_such():
    bands = SMALL_BANDS.assign(vetoed=[False, False, False, True, False])
    (ax,) = plots.plot_rank_bands(bands, "乡镇组").axes
    assert _ytick_texts(ax) == ["1  甲镇", "2  乙镇", "3  丙镇", "丁镇（一票否决）"]


def test_funnel_plot_leader_lines_cross_no_other_label():
    # Four departments at nearly the same size, all above the 95% limit: their names stack,
    # and each is joined to its point by a line that must not run through another name.
    points = pd.DataFrame(
        {
            "unit": ["县司法局", "县医保局", "县林业局", "县信访局"],
            "group": ["部门组"] * 4,
            "submitted": [57, 57, 57, 57],
            "rate": [0.625, 0.62, 0.615, 0.61],
        }
    )
    limits = pd.DataFrame(
        {"n": [1, 120], "p": 0.4, "lo95": 0.3, "hi95": 0.5, "lo998": 0.25, "hi998": 0.55}
    )
    fig = plots.plot_funnel(points, limits)
    canvas = FigureCanvasAgg(fig)  # laid out and drawn as the PNG is
    canvas.draw()
    renderer = canvas.get_renderer()
    names = [t for t in fig.axes[0].texts if t.get_text() in set(points["unit"])]
    lines = [t for t in names if t.arrow_patch is not None]
    assert len(names) == len(lines) == 4  # one stack: every name is joined to its point
    for named in lines:
        arrow = named.arrow_patch
        path = arrow.get_transform().transform_path(arrow.get_path())  # display coordinates
        for other in names:
            if other is not named:
                box = Text.get_window_extent(other, renderer)  # the name, without its line
                assert not path.intersects_bbox(box, filled=False), (
                    named.get_text(),
                    other.get_text(),
                )
