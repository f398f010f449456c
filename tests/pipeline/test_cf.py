"""CF-1.10 on every product: cf_xarray on the stores, cfchecker and CDO on the NetCDF exports."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml

from picpump.cli import main
from picpump.errors import SpecError
from picpump.io.api import load_catalog
from picpump.period import Period
from picpump.pipeline import execute, load_spec, make_plan
from picpump.pipeline.cf import climatological_time, month_bounds
from picpump.pipeline.spec import parse_spec
from tests.cf_tools import cdo, cf_errors

cf_xarray = pytest.importorskip("cf_xarray")

GRIDDED = ["inputs", "monthly", "climatology", "annual", "global_totals"]
PRODUCTS = [*GRIDDED, "ensemble"]
ON_GRID = [p for p in PRODUCTS if p != "global_totals"]
WITH_TIME = ["inputs", "monthly", "global_totals", "ensemble"]


@pytest.fixture(scope="module")
def run_dir(demo_catalog: str, spec_path: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run of every gridded product and a small ensemble, exported to NetCDF."""
    raw = yaml.safe_load(open(spec_path).read())
    raw.update(outputs=GRIDDED, ensemble={"variants": {"depth_factor": "all"}})
    spec = tmp_path_factory.mktemp("spec") / "spec.yaml"
    spec.write_text(yaml.safe_dump(raw))
    out = tmp_path_factory.mktemp("cf") / "out"
    plan = make_plan(load_spec(str(spec)), load_catalog(demo_catalog), str(out))
    execute(plan, None, progress=False)
    assert main(["export", str(out)]) == 0
    return out


def test_month_bounds_span_each_month() -> None:
    times = np.array(["2001-01-01", "2001-02-01", "2004-12-01"], dtype="datetime64[ns]")
    edges = month_bounds(times)
    assert edges[:, 0].tolist() == times.tolist()
    assert str(edges[1, 1])[:10] == "2001-03-01" and str(edges[2, 1])[:10] == "2005-01-01"


def test_climatological_time_spans_the_years_of_each_month() -> None:
    times, bounds = climatological_time([1, 9, 12], Period.parse("1997-09:2000-08"))
    assert [str(t)[:10] for t in times] == ["1998-01-01", "1997-09-01", "1997-12-01"]
    assert [str(b)[:10] for b in bounds[:, 1]] == ["2000-02-01", "1999-10-01", "2000-01-01"]


@pytest.mark.integration
@pytest.mark.parametrize("product", PRODUCTS)
def test_cf_xarray_finds_the_axes_bounds_and_area(run_dir: Path, product: str) -> None:
    ds = xr.open_zarr(run_dir / f"{product}.zarr")
    assert ds.cf["time"].attrs["standard_name"] == "time"
    if product in ("climatology", "annual"):  # climatological time (CF 7.4)
        assert ds["time"].attrs["climatology"] == "climatology_bounds"
        assert ds["climatology_bounds"].shape == ((12, 2) if product == "climatology" else (2,))
    else:
        assert ds.cf.bounds["time"] == ["time_bnds"]
    if product in ON_GRID:
        assert ds.cf["latitude"].attrs["units"] == "degrees_north"
        assert ds.cf["X"].attrs["units"] == "degrees_east"
        assert ds.cf.bounds["latitude"] == ["lat_bnds"]
        assert ds.cf.bounds["longitude"] == ["lon_bnds"]
        assert ds.cf["area"].name == "cell_area"
        assert ds.cf.cell_measures["area"] == ["cell_area"]


@pytest.mark.integration
def test_the_mask_has_flags_and_the_coverage_no_borrowed_attributes(run_dir: Path) -> None:
    ocean = xr.open_zarr(run_dir / "inputs.zarr")["open_ocean"]
    assert ocean.attrs["flag_meanings"] == "not_open_ocean open_ocean"
    assert list(ocean.attrs["flag_values"]) == [0, 1] and "units" not in ocean.attrs
    coverage = xr.open_zarr(run_dir / "global_totals.zarr")["production_coverage"]
    assert not {"citation", "variant", "comment"} & set(coverage.attrs)


@pytest.mark.integration
@pytest.mark.parametrize("product", PRODUCTS)
def test_the_netcdf_export_passes_cfchecker(run_dir: Path, product: str, tmp_path: Path) -> None:
    assert cf_errors(run_dir / "netcdf" / f"{product}.nc", tmp_path) == []


@pytest.mark.integration
@pytest.mark.parametrize("product", PRODUCTS)
def test_the_export_holds_the_store_values(run_dir: Path, product: str) -> None:
    store = xr.open_zarr(run_dir / f"{product}.zarr")
    exported = xr.open_dataset(run_dir / "netcdf" / f"{product}.nc")
    for name, var in store.data_vars.items():
        values = exported[name].values
        np.testing.assert_array_equal(values, var.values.astype(values.dtype), err_msg=name)


@pytest.mark.integration
@pytest.mark.cdo
def test_cdo_reads_a_lonlat_grid_and_twelve_climatological_months(run_dir: Path) -> None:
    nc = run_dir / "netcdf"
    assert "gridtype  = lonlat" in cdo("griddes", str(nc / "annual.nc"))
    assert len(cdo("showtimestamp", str(nc / "climatology.nc")).split()) == 12


@pytest.mark.integration
@pytest.mark.cdo
def test_cdo_fldmean_equals_the_area_weighted_mean(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "fldmean.nc"
    cdo("fldmean", "-selvar,ez_pic_production", str(run_dir / "netcdf" / "annual.nc"), str(out))
    theirs = float(xr.open_dataset(out)["ez_pic_production"].squeeze())
    annual = xr.open_zarr(run_dir / "annual.zarr")
    production = annual["ez_pic_production"].astype("float64")
    area = annual["cell_area"].where(production.notnull())
    ours = float((production * area).sum() / area.sum())
    assert theirs == pytest.approx(ours, rel=1e-5)


@pytest.mark.integration
@pytest.mark.cdo
def test_cdo_ymonmean_of_the_monthly_export_equals_the_climatology(
    run_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "ymonmean.nc"
    cdo("ymonmean", "-selvar,npp,pic_100", str(run_dir / "netcdf" / "monthly.nc"), str(out))
    theirs = xr.open_dataset(out)
    clim = xr.open_dataset(run_dir / "netcdf" / "climatology.nc")
    for name in ("npp", "pic_100"):
        np.testing.assert_allclose(
            theirs[name].values, clim[f"{name}_mean"].values, rtol=1e-5, err_msg=name
        )


@pytest.mark.integration
@pytest.mark.cdo
def test_cdo_remapcon_to_two_degrees_runs(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "remapped.nc"
    annual = str(run_dir / "netcdf" / "annual.nc")
    cdo("remapcon,r180x90", "-selvar,ez_pic_production", annual, str(out))
    assert xr.open_dataset(out)["ez_pic_production"].shape[-2:] == (90, 180)


def test_the_spec_takes_a_zarr_format(spec_path: str) -> None:
    raw = yaml.safe_load(open(spec_path).read())
    assert parse_spec(raw).zarr_format == 3
    assert parse_spec({**raw, "zarr_format": 2}).zarr_format == 2
    with pytest.raises(SpecError, match="zarr_format"):
        parse_spec({**raw, "zarr_format": 4})


def test_the_spec_takes_a_compression(spec_path: str) -> None:
    raw = yaml.safe_load(open(spec_path).read())
    assert parse_spec(raw).compression == "lz4"
    assert parse_spec({**raw, "compression": "zstd"}).compression == "zstd"
    with pytest.raises(SpecError, match="compression"):
        parse_spec({**raw, "compression": "gzip"})


@pytest.mark.integration
def test_a_run_in_zarr_format_2_with_zstd_gives_the_same_numbers(
    run_dir: Path, demo_catalog: str, spec_path: str, tmp_path: Path
) -> None:
    raw = yaml.safe_load(open(spec_path).read())
    raw.update(outputs=["monthly"], zarr_format=2, compression="zstd")
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(raw))
    out = tmp_path / "out"
    execute(make_plan(load_spec(str(spec)), load_catalog(demo_catalog), str(out)), progress=False)
    assert (out / "monthly.zarr" / ".zmetadata").exists()
    meta = json.loads((out / "monthly.zarr" / "ez_pic_production" / ".zarray").read_text())
    assert meta["compressor"]["id"] == "zstd"  # the run's products are lz4 (the default)
    v2 = xr.open_zarr(out / "monthly.zarr", zarr_format=2)
    v3 = xr.open_zarr(run_dir / "monthly.zarr")
    for name in ("ez_pic_production", "npp", "open_ocean", "cell_area", "time_bnds"):
        np.testing.assert_array_equal(v2[name].values, v3[name].values, err_msg=name)
