"""Statistics of the matchups against scipy, bootstrap properties and edge cases."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from picpump.errors import InputError, SpecError
from picpump.science.efficiency import EFFICIENCY_DEFINITIONS, efficiency_by_latitude
from picpump.science.layers import DEPTH_LABELS as LAYER_LABELS
from picpump.science.stats import pearson_by_layer, regression_by_region_layer


def make_matchups(n: int = 400, seed: int = 0, **columns: Any) -> pd.DataFrame:
    """A matchup table as match_traps returns it (only the columns the statistics read)."""
    rng = np.random.default_rng(seed)
    production = rng.lognormal(1.0, 0.8, n)
    frame = pd.DataFrame(
        {
            "lat": rng.uniform(-70, 70, n),
            "trap_depth_m": rng.choice([50.0, 300.0, 800.0, 1500.0, 2500.0, 3500.0, 4500.0], n),
            "pic_flux": 0.3 * production * rng.lognormal(0, 0.5, n),
            "production": production,
            "npp": 40 * production * rng.lognormal(0, 0.7, n),
            "region": rng.choice(["NA", "NP", "SAZ", ""], n),
            "qc": np.where(rng.random(n) < 0.1, "low_production", ""),
        }
    )
    for name, values in columns.items():
        frame[name] = values
    return frame


def _layer(depth: Any) -> np.ndarray:
    edges = [100, 500, 1000, 2000, 3000, 4000]
    return np.asarray(LAYER_LABELS)[np.searchsorted(edges, depth, side="right")]


@pytest.mark.parametrize("log10", [True, False])
def test_pearson_equals_scipy(log10: bool) -> None:
    m = make_matchups()
    m.loc[:5, "pic_flux"] = 0.0  # excluded under log10 only
    out = pearson_by_layer(m, log10=log10)
    assert len(out) == 2 * len(LAYER_LABELS)
    good = m[m["qc"] == ""]
    for row in out.itertuples():
        sub = good[_layer(good["trap_depth_m"]) == row.layer]
        x = sub["production" if row.predictor == "ez_pic_production" else "npp"].to_numpy()
        y = sub["pic_flux"].to_numpy()
        keep = (x > 0) & (y > 0) if log10 else np.ones(x.size, bool)
        if log10:
            x, y = np.log10(x[keep]), np.log10(y[keep])
        expected = sps.pearsonr(x, y)
        assert row.n == x.size
        assert row.n_excluded == int((~keep).sum())
        assert abs(row.r - expected.statistic) <= 1e-12
        assert abs(row.p - expected.pvalue) <= 1e-12
        assert abs(row.r2 - expected.statistic**2) <= 1e-12
    assert out.attrs["log10"] is log10


def test_regression_equals_scipy() -> None:
    m = make_matchups(600)
    out = regression_by_region_layer(m, alpha=0.05)
    assert out["region"].unique().tolist() == ["NA", "NP", "SAZ"]
    good = m[m["qc"] == ""]
    for row in out.itertuples():
        sub = good[(good["region"] == row.region) & (_layer(good["trap_depth_m"]) == row.layer)]
        fit = sps.linregress(sub["production"], sub["pic_flux"])
        assert row.n == len(sub)
        for got, want in [
            (row.slope, fit.slope),
            (row.intercept, fit.intercept),
            (row.r, fit.rvalue),
            (row.r2, fit.rvalue**2),
            (row.p, fit.pvalue),
        ]:
            assert abs(got - want) <= 1e-12
        assert row.significant == (fit.pvalue < 0.05)
    logged = regression_by_region_layer(m, log10=True, predictor="npp").iloc[0]
    sub = good[(good["region"] == "NA") & (_layer(good["trap_depth_m"]) == "0-100")]
    fit = sps.linregress(np.log10(sub["npp"]), np.log10(sub["pic_flux"]))
    assert abs(logged["slope"] - fit.slope) <= 1e-12


def test_small_constant_and_flagged_groups_give_nan() -> None:
    m = make_matchups(9, trap_depth_m=50.0, region="NA", qc="")
    m.loc[:1, "region"] = "NP"  # 2 rows: n < 3
    m.loc[2:, "production"] = 5.0  # constant predictor
    reg = regression_by_region_layer(m).set_index(["region", "layer"])
    assert reg.loc[("NP", "0-100"), "n"] == 2
    assert reg.loc[[("NP", "0-100"), ("NA", "0-100")], ["slope", "r", "p"]].isna().all().all()
    assert not reg["significant"].any()
    assert (reg.loc[("NA", "100-500"), "n"] == 0) and np.isnan(reg.loc[("NA", "100-500"), "p"])
    pear = pearson_by_layer(m.assign(production=5.0), log10=False)
    pear = pear.set_index(["layer", "predictor"])
    assert pear.loc[("0-100", "ez_pic_production"), "n"] == 9
    assert np.isnan(pear.loc[("0-100", "ez_pic_production"), "r"])
    assert np.isfinite(pear.loc[("0-100", "npp"), "r"])
    flagged = pearson_by_layer(make_matchups(qc="low_production"))
    assert (flagged["n"] == 0).all() and flagged["r"].isna().all()


def test_bad_options_and_columns_are_refused() -> None:
    with pytest.raises(InputError, match="production"):
        pearson_by_layer(make_matchups().drop(columns="production"))
    with pytest.raises(SpecError, match="predictor"):
        regression_by_region_layer(make_matchups(), predictor="chl")  # type: ignore[arg-type]
    with pytest.raises(SpecError, match="band_deg"):
        efficiency_by_latitude(make_matchups(), band_deg=0)


def _efficiency_frame(n: int, seed: int = 0) -> pd.DataFrame:
    """Rows in one band (lat 5°): half export (50 m), half mesopelagic (600 m)."""
    rng = np.random.default_rng(seed)
    production = rng.lognormal(1, 0.5, n)
    depth = np.where(np.arange(n) % 2 == 0, 50.0, 600.0)
    flux = np.where(depth < 100, 0.2, 0.05) * production * rng.lognormal(0, 0.3, n)
    return make_matchups(
        n, seed, lat=5.0, trap_depth_m=depth, production=production, pic_flux=flux, qc=""
    )


@pytest.mark.parametrize("ratio", ["of_means", "mean_of_ratios"])
def test_efficiency_point_estimates(ratio: str) -> None:
    m = _efficiency_frame(200)
    out = efficiency_by_latitude(m, ratio=ratio, n_boot=200)  # type: ignore[arg-type]
    assert len(out) == 18 and out["lat_min"].tolist()[:2] == [-90.0, -80.0]
    band = out.set_index("lat_min").loc[0.0]
    exp, meso = m[m["trap_depth_m"] < 100], m[m["trap_depth_m"] >= 100]
    if ratio == "of_means":
        e = exp["pic_flux"].mean() / exp["production"].mean()
        t = meso["pic_flux"].mean() / exp["pic_flux"].mean()
    else:
        e = (exp["pic_flux"] / exp["production"]).mean()
        t = (meso["pic_flux"] / meso["production"]).mean() / e
    assert band["e_eff"] == pytest.approx(e, rel=1e-12)
    assert band["t_eff"] == pytest.approx(t, rel=1e-12)
    assert (band["n_export"], band["n_meso"]) == (100, 100)
    assert band["e_eff_low"] <= band["e_eff"] <= band["e_eff_high"]
    assert band["t_eff_low"] <= band["t_eff"] <= band["t_eff_high"]
    empty = out.set_index("lat_min").drop(index=0.0)
    assert empty[["e_eff", "t_eff", "e_eff_low"]].isna().all().all()
    assert (empty["n_export"] == 0).all()
    assert out.attrs["definition"]["e_eff"] == EFFICIENCY_DEFINITIONS[ratio]["e_eff"]


def test_bootstrap_reproducible_and_narrows_with_n() -> None:
    small, large = _efficiency_frame(40), _efficiency_frame(4000)
    first = efficiency_by_latitude(small, seed=7)
    pd.testing.assert_frame_equal(first, efficiency_by_latitude(small, seed=7))
    assert not first.equals(efficiency_by_latitude(small, seed=8))
    widths = [
        efficiency_by_latitude(m, n_boot=300).set_index("lat_min").loc[0.0] for m in (small, large)
    ]
    for name in ("e_eff", "t_eff"):
        narrow = widths[1][f"{name}_high"] - widths[1][f"{name}_low"]
        wide = widths[0][f"{name}_high"] - widths[0][f"{name}_low"]
        assert narrow < wide / 4  # ~ 1/sqrt(100) = 1/10 expected


def test_bootstrap_matches_a_plain_loop() -> None:
    m = _efficiency_frame(30)
    out = efficiency_by_latitude(m, n_boot=50, seed=3).set_index("lat_min").loc[0.0]
    exp = m[m["trap_depth_m"] < 100]
    f, p = exp["pic_flux"].to_numpy(), exp["production"].to_numpy()
    rng = np.random.default_rng(3)
    index = rng.integers(0, f.size, size=(50, f.size))
    ratios = [f[i].mean() / p[i].mean() for i in index]
    low, high = np.percentile(ratios, [2.5, 97.5])
    assert out["e_eff_low"] == pytest.approx(low, rel=1e-12)
    assert out["e_eff_high"] == pytest.approx(high, rel=1e-12)


def test_efficiency_edge_cases() -> None:
    one = _efficiency_frame(2)  # one export row, one meso row: estimates, no intervals
    band = efficiency_by_latitude(one).set_index("lat_min").loc[0.0]
    assert np.isfinite(band["e_eff"]) and np.isfinite(band["t_eff"])
    assert np.isnan(band["e_eff_low"]) and np.isnan(band["t_eff_high"])
    constant = _efficiency_frame(20)
    constant["pic_flux"], constant["production"] = 1.0, 4.0
    band = efficiency_by_latitude(constant).set_index("lat_min").loc[0.0]
    assert band["e_eff_low"] == band["e_eff"] == band["e_eff_high"] == 0.25
    assert band["t_eff"] == 1.0
    flagged = efficiency_by_latitude(_efficiency_frame(20).assign(qc="bad"))
    assert (flagged["n_export"] == 0).all() and flagged["e_eff"].isna().all()
    edges = efficiency_by_latitude(_efficiency_frame(4).assign(lat=90.0), band_deg=7.0)
    assert edges["lat_max"].iloc[-1] == 90.0 and edges["n_export"].iloc[-1] == 2
