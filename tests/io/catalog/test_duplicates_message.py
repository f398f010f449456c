"""A duplicates rule whose prefer patterns match none of a month's files says so."""

from __future__ import annotations

import pandas as pd
import pytest

from picpump.errors import InputError
from picpump.io.catalog.duplicates import DuplicateRule, choose_file

FILES = ["/a/L3m_200101__GLOB_100_AV-MOD_PIC.nc", "/a/L3m_200101__GLOB_100_GSM-SWF_PIC.nc"]


def _choose(rule: DuplicateRule) -> None:
    choose_file(FILES, pd.Timestamp("2001-01-01"), rule, source="pic", pattern="/a/*", header=dict)


def test_no_matching_prefer_pattern_is_named() -> None:
    rule = DuplicateRule(prefer=("*_AVW-*",), then="error")
    with pytest.raises(
        InputError, match=r"no file name matches any prefer pattern \['\*_AVW-\*'\]"
    ):
        _choose(rule)


def test_a_pattern_matching_several_files_is_named() -> None:
    rule = DuplicateRule(prefer=("*_PIC.nc",), then="error")
    with pytest.raises(InputError, match=r"2 files match the same prefer pattern '\*_PIC.nc'"):
        _choose(rule)
