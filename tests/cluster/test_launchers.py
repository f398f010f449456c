"""The launcher registry: one class per kind, each checking, starting and describing."""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pytest

from picpump.cluster import (
    KINDS,
    LAUNCHERS,
    Launcher,
    check,
    check_profile,
    client_for,
    describe,
    launcher_for,
)
from picpump.cluster.spec import Profile
from picpump.errors import ClusterError


@pytest.mark.parametrize("kind", list(LAUNCHERS))
def test_every_registered_kind_checks_starts_and_describes(kind: str) -> None:
    launcher = LAUNCHERS[kind]
    assert isinstance(launcher, Launcher) and launcher.kind == kind
    assert not inspect.isabstract(type(launcher))
    for method in ("check", "start", "describe", "check_workers", "one_worker"):
        assert callable(getattr(launcher, method))
    assert launcher_for(kind, "test") is launcher


def test_the_kinds_are_the_registered_launchers() -> None:
    assert KINDS == ("local", "threads", "slurm", "gateway", "existing")
    assert KINDS == tuple(LAUNCHERS)


@pytest.mark.parametrize("kind", ["kubernetes", None, 3])
def test_an_unknown_kind_is_refused_with_the_list_of_kinds(kind: object) -> None:
    with pytest.raises(ClusterError, match=r"'kind' must be one of \[") as err:
        launcher_for(kind, "profile test")
    assert all(repr(name) in str(err.value) for name in KINDS)
    assert "received:" in str(err.value) and "fix:" in str(err.value)
    with pytest.raises(ClusterError, match=r"profile test: 'kind' must be one of \["):
        check_profile({"kind": kind}, name="test")


class _Inline(Launcher):
    kind = "inline"

    def check(self, where: str, options: Mapping[str, Any]) -> dict[str, Any]:
        return {"greeting": str(options.get("greeting", "hello"))}

    @contextmanager
    def start(self, profile: Profile) -> Iterator[None]:
        yield None

    def describe(self, profile: Profile) -> str:
        return f"inline: {profile.options['greeting']}\n"


def test_a_new_kind_is_one_class_in_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(LAUNCHERS, "inline", _Inline())
    profile = check_profile({"kind": "inline", "options": {"greeting": "hi"}}, name="test")
    assert profile.kind == "inline" and profile.options == {"greeting": "hi"}
    assert describe(profile) == "inline: hi\n"
    with client_for(profile) as client:
        assert client is None
    assert "small dask array: 10 chunks summed correctly" in check(profile)
    with pytest.raises(ClusterError, match=r"kind inline"):
        check_profile({"kind": "inline", "workers": {"scale": 1}}, name="test")
