"""A row whose end precedes its start never makes its valid neighbour a duplicate."""

from __future__ import annotations

import pandas as pd

from picpump.science.trap_qc import validate_traps
from tests.science.test_traps import flags, row, table


def test_end_before_start_row_does_not_displace_a_valid_neighbour() -> None:
    bad = row(end=pd.Timestamp("1999-01-01"), pic_flux=5.0)
    valid = row(pic_flux=2.0)
    out = validate_traps(table(bad, valid))
    assert "duplicate" not in flags(out)[1]
    assert {"end_before_start", "duplicate"} <= flags(out)[0]


def test_valid_duplicates_still_flagged_after_a_bad_row() -> None:
    out = validate_traps(table(row(end=pd.Timestamp("1999-01-01")), row(), row()))
    assert [("duplicate" in f) for f in flags(out)] == [True, False, True]
