"""The fault-injection hook: silent unless PICPUMP_FAULT_AT names the point."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from picpump.io.store.faults import FAULT_VARIABLE, fault_point


def test_nothing_happens_without_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FAULT_VARIABLE, raising=False)
    fault_point("publish:monthly")


def test_a_named_point_raises_and_others_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FAULT_VARIABLE, "summary:raise, publish:clim*:raise")
    fault_point("publish:monthly")
    with pytest.raises(RuntimeError, match="fault injected at publish:climatology"):
        fault_point("publish:climatology")
    with pytest.raises(RuntimeError, match="summary"):
        fault_point("summary")


def test_a_sleep_delays_every_matching_point(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FAULT_VARIABLE, "*:sleep=0.2")
    start = time.monotonic()
    fault_point("switch")
    fault_point("publish:annual")
    assert time.monotonic() - start >= 0.4


def test_kill_is_the_default_action_and_is_a_sigkill() -> None:
    code = "from picpump.io.store.faults import fault_point; fault_point('publish:annual')"
    env = {**os.environ, FAULT_VARIABLE: "publish:annual"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True)
    assert done.returncode == -9
    assert b"fault point publish:annual: kill" in done.stderr
