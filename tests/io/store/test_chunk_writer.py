"""Direct chunk writes give zarr-python's bytes, and step aside for what they do not write."""

from __future__ import annotations

import filecmp
from pathlib import Path

import dask
import dask.array as da
import fsspec
import numpy as np
import pytest
import xarray as xr

from picpump.io.store import zarr_store
from picpump.io.store.chunk_layout import read_layout
from picpump.io.store.chunk_writer import writable_layout, write_chunk
from picpump.io.store.zarr_store import open_product, stage_zarr
from tests.conftest import raise_if_dask_computes


def _product() -> xr.Dataset:
    rng = np.random.default_rng(7)
    values = rng.random((5, 7, 11)).astype("float32")
    values[rng.random(values.shape) < 0.3] = np.nan
    values[:, :4, :4] = np.nan  # a whole chunk missing: not written
    counts = rng.integers(0, 9, (7, 11)).astype("int16")
    counts[4:, 8:] = 0  # a whole chunk of the fill value: not written
    ds = xr.Dataset(
        {
            "field": (("time", "lat", "lon"), values, {"units": "g m-2"}),
            "area": (("lat", "lon"), rng.random((7, 11))),
            "count": (("lat", "lon"), counts),
        },
        coords={
            "lat": np.arange(7.0),
            "ocean": (("lat", "lon"), rng.random((7, 11)) > 0.5),
        },
    )
    return ds.chunk({"time": -1, "lat": 4, "lon": 4})  # ragged edge chunks


def _write(ds: xr.Dataset, url: str, **kwargs: object) -> object:
    pending = stage_zarr(ds, url, **kwargs)  # type: ignore[arg-type]
    (written,) = dask.compute(pending.task)
    pending.publish()
    if written is None:  # xarray's Delayed
        return None
    return sum(int(np.count_nonzero(flags)) for flags in written)


def _differences(left: Path, right: Path) -> list[str]:
    def walk(cmp: filecmp.dircmp[str]) -> list[str]:
        found = cmp.diff_files + cmp.left_only + cmp.right_only
        return found + [f for sub in cmp.subdirs.values() for f in walk(sub)]

    return walk(filecmp.dircmp(left, right))


def _through_zarr_python(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zarr_store, "_direct_writes", lambda *args: None)


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize("compression", ["lz4", "zstd"])
def test_direct_writes_are_byte_for_byte_zarr_pythons(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zarr_format: int, compression: str
) -> None:
    options = {"zarr_format": zarr_format, "compression": compression}
    written = _write(_product(), str(tmp_path / "direct.zarr"), **options)
    # 4 variables of 6 chunks; not written: field's all-NaN chunk and count's all-zero one
    assert written == 4 * 6 - 2
    with monkeypatch.context() as patched:
        _through_zarr_python(patched)
        _write(_product(), str(tmp_path / "zarr.zarr"), **options)
    assert _differences(tmp_path / "direct.zarr", tmp_path / "zarr.zarr") == []
    xr.testing.assert_identical(open_product(str(tmp_path / "direct.zarr")).load(), _product())


def test_the_writes_fuse_into_the_tasks_that_compute_the_blocks(tmp_path: Path) -> None:
    ds = _product()
    ds["field"] = np.sqrt(ds["field"])  # a producer layer before the write
    with raise_if_dask_computes():
        pending = stage_zarr(ds, str(tmp_path / "p.zarr"))
    optimized = dask.optimize(*pending.task)  # as dask.compute does
    graph = {k: v for flags in optimized for k, v in dict(flags.__dask_graph__()).items()}
    keys = [k[0] for k in graph if isinstance(k, tuple)]
    assert not [k for k in keys if k.startswith("sqrt-")]  # no task of its own
    fused = [k for k in keys if "xarray-field-" in k and "picpump-write-" in k]
    assert len(fused) == 6  # read, square root, encode and write: one task per chunk
    pending.discard()


def test_an_in_memory_store_is_written_directly() -> None:
    written = _write(_product(), "memory://direct-writes/p.zarr")
    assert written == 22
    np.testing.assert_array_equal(
        open_product("memory://direct-writes/p.zarr")["field"].values, _product()["field"].values
    )


def test_a_cf_encoded_variable_leaves_the_whole_product_to_zarr_python(tmp_path: Path) -> None:
    ds = _product()
    ds["field"].encoding = {"scale_factor": 0.5, "dtype": "float32"}
    assert _write(ds, str(tmp_path / "scaled.zarr")) is None  # xarray's task
    opened = open_product(str(tmp_path / "scaled.zarr"))
    np.testing.assert_allclose(opened["field"].values, ds["field"].values, rtol=1e-6)
    masked = _product()
    masked["field"].encoding = {"_FillValue": -1.0}
    assert _write(masked, str(tmp_path / "masked.zarr")) is None
    np.testing.assert_array_equal(
        open_product(str(tmp_path / "masked.zarr"))["field"].values, masked["field"].values
    )


def test_blocks_that_are_not_the_stores_chunks_are_declined(tmp_path: Path) -> None:
    _write(_product(), str(tmp_path / "p.zarr"))
    fs, path = fsspec.filesystem("file"), str(tmp_path / "p.zarr" / "field")
    values = _product()["field"].data
    assert writable_layout(fs, path, values) is not None
    assert writable_layout(fs, path, values.rechunk({1: 3})) is None
    assert writable_layout(fs, path, values.astype("float64")) is None
    assert writable_layout(fs, str(tmp_path / "absent"), values) is None


def test_an_edge_chunk_is_padded_with_the_fill_value(tmp_path: Path) -> None:
    _write(_product(), str(tmp_path / "p.zarr"))
    fs, path = fsspec.filesystem("file"), str(tmp_path / "p.zarr" / "count")
    layout = read_layout(fs, path)
    assert layout is not None and layout.fill_value == 0
    assert write_chunk(fs, path, layout, (1, 2), np.full((3, 3), 5, dtype="int16"))
    assert not write_chunk(fs, path, layout, (0, 0), np.zeros((4, 4), dtype="int16"))
    raw = fs.cat_file(f"{path}/{layout.key((1, 2))}")
    chunk = np.frombuffer(layout.codec_instance().decode(raw), dtype="int16").reshape(4, 4)
    assert (chunk[:3, :3] == 5).all() and (chunk[3:] == 0).all() and (chunk[:, 3:] == 0).all()
    assert isinstance(_product()["count"].data, da.Array)
