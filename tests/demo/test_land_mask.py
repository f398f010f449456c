"""The shipped 1° land mask is the one computed from the global-land-mask package."""

from __future__ import annotations

import numpy as np
import pytest

from picpump.demo.geography import SHIPPED_LAND_MASK, computed_land_mask, land_mask


def test_shipped_land_mask_equals_the_computed_one() -> None:
    pytest.importorskip("global_land_mask")
    assert SHIPPED_LAND_MASK.is_file()
    shipped = land_mask()
    computed = computed_land_mask()
    assert shipped.shape == computed.shape == (180, 360)
    assert np.array_equal(shipped, computed)
    assert not shipped.flags.writeable


def test_other_subsamples_are_computed() -> None:
    pytest.importorskip("global_land_mask")
    coarse = land_mask(1)
    assert coarse.shape == (180, 360) and 0.2 < coarse.mean() < 0.4
