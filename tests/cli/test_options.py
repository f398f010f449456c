"""A YAML tag in --cluster-opt or --param is refused with a message (status 2), never run."""

from __future__ import annotations

import pytest

from picpump.cli import main


@pytest.mark.parametrize("flag", ["--cluster-opt", "--param"])
def test_yaml_tag_is_refused(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    value = 'x=!!python/object/apply:os.system ["echo tagged"]'
    with pytest.raises(SystemExit) as stopped:
        main(["run", "spec.yaml", "--catalog", "c.yaml", flag, value])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "must be plain YAML" in err and "no tags" in err and "Traceback" not in err


def test_plain_values_are_read_as_yaml() -> None:
    from picpump.cli.options import key_value

    assert key_value("n_workers=2") == ("n_workers", 2)
    assert key_value("base_url=/mirror") == ("base_url", "/mirror")
