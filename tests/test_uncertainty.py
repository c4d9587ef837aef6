"""Funnel limits against hand values, and rank bands on cases whose rank distribution is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import evalkit
from evalkit.scoring.rules import LEVELS, Rules
from evalkit.scoring.uncertainty import binomial_limits, funnel_data, rank_bands


# ----------------------------------------------------------------- funnel
def test_binomial_limits_hand_values():
    # binomial(10, 0.5): F(1) = 11/1024, F(2) = 56/1024, F(7) = 968/1024, F(8) = 1013/1024
    # upper: r = 8, a = (1013/1024 - 0.975) / (45/1024) = 14.6 / 45  -> (8 - a) / 10
    # lower: r = 2, a = (56/1024 - 0.025) / (45/1024) = 30.4 / 45    -> (2 - a) / 10
    low, high = binomial_limits([10], 0.5, 0.95)
    assert high[0] == pytest.approx((8 - 14.6 / 45) / 10, abs=1e-12)
    assert low[0] == pytest.approx((2 - 30.4 / 45) / 10, abs=1e-12)


def test_binomial_limits_approach_the_normal_ones_for_large_n():
    n, p = 2000, 0.3
    low, high = binomial_limits([n], p, 0.998)
    half = 3.0902 * np.sqrt(p * (1 - p) / n)  # z of 99.9%
    assert low[0] == pytest.approx(p - half, abs=0.002)
    assert high[0] == pytest.approx(p + half, abs=0.002)


@pytest.fixture
def metrics_frame():
    return pd.DataFrame(
        {
            "unit": ["大", "中", "小", "空", "差"],
            "group": ["乡镇组", "乡镇组", "部门组", "部门组", "部门组"],
            "submitted": [100, 40, 5, 0, 50],
            "adopted": [60, 14, 3, 0, 6],
            "adopted_city_up": [10, 0, 0, 0, 0],
        }
    )


def test_funnel_points_limits_and_flags(metrics_frame):
    points, limits = funnel_data(metrics_frame)
    assert list(limits.columns) == ["n", "p", "lo95", "hi95", "lo998", "hi998"]
    assert limits["n"].tolist() == list(range(1, 101))
    assert (limits["p"] == 83 / 195).all()  # overall rate: items adopted / items submitted
    at10 = limits.set_index("n").loc[10]
    low, high = binomial_limits([10], 83 / 195, 0.95)
    assert (at10["lo95"], at10["hi95"]) == (low[0], high[0])
    assert (limits["lo998"] <= limits["lo95"]).all() and (limits["hi95"] <= limits["hi998"]).all()
    flags = points.set_index("unit")[["flag", "flag_998"]]
    # p = 0.4256: 60/100 is 3.5 standard errors above, 6/50 is 4.4 below, 14/40 is 1.0 below;
    # 3/5 is within: at n = 5 the upper 95% limit is (4 - 0.088) / 5 = 0.78
    assert flags.loc["大"].tolist() == ["above", "above"]
    assert flags.loc["差"].tolist() == ["below", "below"]
    assert flags.loc["小"].tolist() == ["within", "within"]
    assert flags.loc["中"].tolist() == ["within", "within"]  # 0.35
    assert flags.loc["空"].isna().all() and np.isnan(points.set_index("unit").loc["空", "rate"])


def test_funnel_level_and_errors(metrics_frame):
    points, limits = funnel_data(metrics_frame, level="city_up")
    assert points["adopted"].tolist() == [10, 0, 0, 0, 0]
    assert limits["p"].iloc[0] == 10 / 195
    with pytest.raises(ValueError):
        funnel_data(metrics_frame, level="town")


def test_funnel_does_not_mutate(metrics_frame):
    before = metrics_frame.copy()
    funnel_data(metrics_frame)
    pd.testing.assert_frame_equal(before, metrics_frame)


# ----------------------------------------------------------------- rank bands
@pytest.fixture(scope="module")
def league():
    """甲 far ahead (3 national adoptions), 乙 one city adoption, 丙 county + city + nothing,
    丁 alone in its group."""
    units = pd.DataFrame({"unit": ["甲", "乙", "丙", "丁"], "group": ["乡镇组"] * 3 + ["部门组"]})
    items = [
        ("S1", "甲"),
        ("S2", "甲"),
        ("S3", "甲"),
        ("S4", "乙"),
        ("S5", "丙"),
        ("S6", "丙"),
        ("S7", "丙"),
        ("S8", "丁"),
    ]
    submissions = pd.DataFrame(
        {
            "submission_id": [i for i, _ in items],
            "units": [u for _, u in items],
            "title": [f"标题{i}" for i, _ in items],
            "submitted_at": "2025-05-06 10:00",
        }
    )
    adoptions = pd.DataFrame(
        {
            "submission_id": ["S1", "S2", "S3", "S4", "S5", "S7", "S8"],
            "level": ["national"] * 3 + ["city", "county", "city", "county"],
            "adopted_at": "2025-05-20",
        }
    )
    return evalkit.load_frames(units=units, submissions=submissions, adoptions=adoptions)


@pytest.fixture(scope="module")
def points_only():
    return Rules.from_dict(
        {
            "schema_version": 1,
            "name": "只计采用分",
            "adoption": {"points": {"county": 5, "city": 18, "national": 100}},
        }
    )


def test_rank_bands_under_weights(league, points_only):
    # 甲 = 300; 乙 = 18 (one city item); 丙 = county + 18: ahead of 乙 whenever county > 0
    bands = rank_bands(
        league, points_only, 2025, {"adoption.points.county": (0, 10)}, n_draws=500, seed=1
    )
    got = bands.set_index("unit")
    assert got.loc["甲", ["rank", "rank_median", "rank_p05", "rank_p95"]].tolist() == [1, 1, 1, 1]
    assert got.loc["丙", ["rank", "rank_p05", "rank_p95"]].tolist() == [2, 2, 2]
    assert got.loc["乙", ["rank", "rank_p05", "rank_p95"]].tolist() == [3, 3, 3]
    assert got.loc["丁", ["rank", "rank_p05", "rank_p95"]].tolist() == [1, 1, 1]  # alone in 部门组
    assert list(bands.columns) == [
        "unit",
        "group",
        "score",
        "rank",
        "vetoed",
        "rank_median",
        "rank_p05",
        "rank_p95",
    ]


@pytest.fixture(scope="module")
def close_race():
    """甲 far ahead; 乙 one city item; 丙 three county items: 乙 beats 丙 when city > 15."""
    units = pd.DataFrame({"unit": ["甲", "乙", "丙"], "group": ["乡镇组"] * 3})
    ids = ["S1", "S2", "S3", "S4", "S5", "S6", "S7"]
    submissions = pd.DataFrame(
        {
            "submission_id": ids,
            "units": ["甲", "甲", "甲", "乙", "丙", "丙", "丙"],
            "title": [f"标题{i}" for i in ids],
            "submitted_at": "2025-05-06 10:00",
        }
    )
    adoptions = pd.DataFrame(
        {
            "submission_id": ids,
            "level": ["national"] * 3 + ["city"] + ["county"] * 3,
            "adopted_at": "2025-05-20",
        }
    )
    return evalkit.load_frames(units=units, submissions=submissions, adoptions=adoptions)


def test_rank_bands_known_distribution(close_race, points_only):
    # city ~ U(12, 24): 乙 (= city) beats 丙 (= 15) with probability 9/12 = 0.75
    bands = rank_bands(
        close_race, points_only, 2025, {"adoption.points.city": (12, 24)}, n_draws=1000, seed=0
    )
    got = bands.set_index("unit")[["rank", "rank_median", "rank_p05", "rank_p95"]]
    assert got.loc["甲"].tolist() == [1, 1, 1, 1]  # far ahead: a band of width 0
    assert got.loc["乙"].tolist() == [2, 2, 2, 3]  # rank 2 in 75% of draws
    assert got.loc["丙"].tolist() == [3, 3, 2, 3]


def test_rank_bands_small_change_leaves_ranks_fixed(close_race, points_only):
    bands = rank_bands(
        close_race, points_only, 2025, {"adoption.points.city": (17, 19)}, n_draws=200
    )
    assert (bands["rank_p05"] == bands["rank_p95"]).all()
    assert (bands["rank_median"] == bands["rank"]).all()


def test_rank_bands_bootstrap_known_distribution(points_only):
    # 乙: one item worth 18. 丙: three items worth 5, 0 and 18; resampled, 丙's total is
    # < 18 when no 18 is drawn ((2/3)^3 = 0.296), exactly 18 (a tie: both rank 2) when one 18
    # and two 0s are drawn (3/27 = 0.111), else > 18 (0.593).
    units = pd.DataFrame({"unit": ["甲", "乙", "丙"], "group": ["乡镇组"] * 3})
    ids = ["S1", "S2", "S3", "S4", "S5", "S6"]
    data = evalkit.load_frames(
        units=units,
        submissions=pd.DataFrame(
            {
                "submission_id": ids,
                "units": ["甲", "甲", "乙", "丙", "丙", "丙"],
                "title": [f"标题{i}" for i in ids],
                "submitted_at": "2025-05-06 10:00",
            }
        ),
        adoptions=pd.DataFrame(
            {
                "submission_id": ["S1", "S2", "S3", "S4", "S6"],
                "level": ["national", "national", "city", "county", "city"],
                "adopted_at": "2025-05-20",
            }
        ),
    )
    bands = rank_bands(data, points_only, 2025, method="bootstrap", n_draws=2000, seed=3)
    got = bands.set_index("unit")[["rank", "rank_median", "rank_p05", "rank_p95"]]
    assert got.loc["甲"].tolist() == [1, 1, 1, 1]  # 200 however resampled
    assert got.loc["乙"].tolist() == [3, 3, 2, 3]  # rank 2 in 40.7% of draws
    assert got.loc["丙"].tolist() == [2, 2, 2, 3]  # rank 3 in 29.6% of draws


def test_rank_bands_reproducible_and_checked(close_race, points_only):
    args = (close_race, points_only, 2025, {"adoption.points.city": (12, 24)})
    pd.testing.assert_frame_equal(
        rank_bands(*args, n_draws=300, seed=5), rank_bands(*args, n_draws=300, seed=5)
    )
    with pytest.raises(ValueError):
        rank_bands(*args, method="jackknife")


def _county(n_units: int = 80, n_items: int = 3500, seed: int = 0):
    rng = np.random.default_rng(seed)
    names = [f"单位{i:02d}" for i in range(n_units)]
    units = pd.DataFrame(
        {"unit": names, "group": np.where(np.arange(n_units) < 20, "乡镇组", "部门组")}
    )
    lead = rng.integers(0, n_units, n_items)
    hours = rng.integers(0, 364 * 24, n_items)
    submissions = pd.DataFrame(
        {
            "submission_id": [f"S{i}" for i in range(n_items)],
            "units": np.asarray(names)[lead],
            "title": [f"标题{i}" for i in range(n_items)],
            "submitted_at": (
                pd.Timestamp("2025-01-01") + pd.to_timedelta(hours, unit="h")
            ).strftime("%Y-%m-%d %H:%M"),
        }
    )
    adopted = submissions.sample(frac=0.4, random_state=seed)
    adoptions = pd.DataFrame(
        {
            "submission_id": adopted["submission_id"],
            "level": rng.choice(["county", "city", "province"], len(adopted), p=[0.9, 0.08, 0.02]),
            "adopted_at": adopted["submitted_at"],
        }
    )
    return evalkit.load_frames(units=units, submissions=submissions, adoptions=adoptions)


def test_rank_bands_1000_draws_80_units():
    # Its speed (< 2 s) is a `make bench` figure, not a timed test.
    data = _county()
    ranges = {
        "adoption.points.county": (4, 6),
        "adoption.points.city": (16, 24),
        "adoption.points.province": (40, 60),
    }
    bands = rank_bands(data, "default", 2025, ranges, n_draws=1000)
    assert len(bands) == 80
    assert (
        (bands["rank_p05"] <= bands["rank_median"]) & (bands["rank_median"] <= bands["rank_p95"])
    ).all()


def test_rank_bands_exact_when_the_score_is_not_linear(close_race):
    # 1 point per item, capped at 2: 甲 and 丙 (3 items) get min(3p, 2), 乙 (1 item) gets p.
    # p ~ U(0.5, 3): 乙 ties for first when p > 2 (probability 0.4), else is third.
    capped = Rules.from_dict(
        {"schema_version": 1, "name": "封顶", "submission": {"points": 1, "cap": 2}}
    )
    with pytest.warns(UserWarning, match="not linear"):
        bands = rank_bands(
            close_race, capped, 2025, {"submission.points": (0.5, 3)}, n_draws=300, seed=2
        )
    got = bands.set_index("unit")[["rank_median", "rank_p05", "rank_p95"]]
    assert got.loc["甲"].tolist() == [1, 1, 1] and got.loc["丙"].tolist() == [1, 1, 1]
    assert got.loc["乙"].tolist() == [3, 1, 3]


def test_rank_bands_use_the_scorers_fast_totals_when_it_has_them(
    close_race, points_only, monkeypatch
):
    from evalkit.scoring.scorer import Scorer
    from evalkit.scoring.uncertainty import _raw_totals

    calls = []

    def totals(self, changes=None):
        calls.append(changes)
        return _raw_totals(self.score(changes), pd.Index(self.people["unit"]), average=False)

    args = (close_race, points_only, 2025, {"adoption.points.city": (12, 24)})
    expected = rank_bands(*args, n_draws=200)
    monkeypatch.setattr(Scorer, "totals", totals, raising=False)
    pd.testing.assert_frame_equal(rank_bands(*args, n_draws=200), expected)
    assert calls  # the model's probes went through Scorer.totals


def test_weight_draws_respect_integer_keys_and_ranges():
    from evalkit.scoring.rules import RulesError, load_rules
    from evalkit.scoring.uncertainty import _draw_weights

    rules = load_rules("default")
    ranges = {
        "quota[0].min_items": (4, 8),
        "lateness.fraction": (0.8, 1.0),
        "adoption.points.city": (16, 24),
    }
    names, draws = _draw_weights(rules, ranges, 500, np.random.default_rng(0))
    assert names == list(ranges) and draws.shape == (3, 500)
    minimum, fraction, city = draws
    assert set(np.unique(minimum)) == {4, 5, 6, 7, 8}  # whole numbers, both ends included
    assert 0.8 <= fraction.min() and fraction.max() <= 1.0 and len(np.unique(fraction)) == 500
    assert 16 <= city.min() and city.max() <= 24
    with pytest.raises(RulesError, match="town"):
        _draw_weights(rules, {"adoption.points.town": (1, 2)}, 10, np.random.default_rng(0))
    with pytest.raises(RulesError, match="lateness.fraction"):
        _draw_weights(rules, {"lateness.fraction": (0.5, 1.5)}, 10, np.random.default_rng(0))


def test_default_ranges_vary_outlet_points_when_no_level_has_points():
    from evalkit.scoring.rules import load_rules
    from evalkit.scoring.uncertainty import _adoption_points

    by_outlet = _adoption_points(load_rules("changshan-2014"))  # priced by outlet alone
    assert by_outlet["adoption.outlets.county.要情快报"] == 5.0
    assert by_outlet["adoption.outlets.city.衢州政务工作交流"] == 80.0
    assert all(key.startswith("adoption.outlets.") for key in by_outlet)
    by_level = _adoption_points(load_rules("default"))
    assert sorted(by_level) == sorted(f"adoption.points.{lv}" for lv in LEVELS)


def test_fast_draw_rules_equal_validated_rules():
    from evalkit.scoring.rules import load_rules
    from evalkit.scoring.uncertainty import _rules_at

    rules = load_rules("default")
    names = ["adoption.points.city", "quota[0].min_items"]
    make = _rules_at(rules, names, np.array([16.5, 5.0]))
    assert make.__name__ == "fast"  # the draws skip re-validation
    for city, items in [(14.0, 4.0), (22.25, 7.0)]:
        drawn = make(np.array([city, items]))
        assert drawn == rules.with_changes({names[0]: city, names[1]: int(items)})
        assert type(drawn["quota[0].min_items"]) is int and drawn["adoption.points.city"] == city
    assert rules["adoption.points.city"] == load_rules("default")["adoption.points.city"]


def test_binomial_kernels_equal_scipy_stats_binom():
    from scipy.stats import binom

    from evalkit.scoring.funnel import _binomial

    n = np.arange(1, 300, dtype=float)
    for p in (0.0, 0.013, 0.3, 0.5, 0.97, 1.0):
        ppf, cdf = _binomial(n, p)
        for q in (0.001, 0.025, 0.5, 0.975, 0.999):
            r = ppf(q)
            assert np.array_equal(r, binom.ppf(q, n, p))
            for k in (r - 1, r, r + 1, n + 3, -n):
                assert np.array_equal(cdf(k), binom.cdf(k, n, p))
    ppf, _ = _binomial(n, 1.2)  # not a probability: NaN, as scipy.stats says
    assert np.isnan(ppf(0.5)).all()
