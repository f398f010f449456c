"""Secrets in URLs, command lines and log lines are redacted; the rest is left as it was."""

from __future__ import annotations

import io
import logging

import pytest

from picpump.redact import REDACTED, RedactingFilter, RedactingStream, redact, redact_tree


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("http://user:SECRETPW@host/catalog.yaml", "SECRETPW"),
        ("https://ghp_TOKENVALUE@github.com/org/repo", "ghp_TOKENVALUE"),
        ("https://b.s3.amazonaws.com/k.nc?X-Amz-Signature=abc123&X-Amz-Expires=60", "abc123"),
        ("https://b/k.nc?X-Amz-Credential=AKIA%2F2020&X-Amz-Security-Token=tok9", "tok9"),
        ("https://a.blob/c/f.nc?sv=2020&sig=SASSIG%3D", "SASSIG"),
        ("https://h/f.nc?token=TOK1", "TOK1"),
        ("https://h/f.nc?a=1&access_token=TOK2#part", "TOK2"),
        ("https://maps/api?key=APIKEY3", "APIKEY3"),
        ("picpump run s.yaml --param password=hunter2", "hunter2"),
        ("--cluster-opt api_key=KEY4 --param secret_access_key=KEY5", "KEY5"),
        ("{'headers': {'Authorization': 'Bearer abcdefghijkl'}}", "abcdefghijkl"),
    ],
)
def test_secrets_are_redacted(text: str, secret: str) -> None:
    cleaned = redact(text)
    assert secret not in cleaned and REDACTED in cleaned


@pytest.mark.parametrize(
    "text",
    [
        "s3://bucket/key.nc",
        "/data/demo/L3m_20010101-20010131__GLOB_100_AV-MOD_PIC_MO_00.nc",
        "https://host/f.nc?version=2&format=nc",
        "usage: picpump run [--cluster-opt KEY=VALUE] author=me monkey=1",
        "period 2001-01/2002-12, grid 1.0°",
    ],
)
def test_plain_text_is_unchanged(text: str) -> None:
    assert redact(text) == text


def test_redact_tree_keeps_shape() -> None:
    tree = {"run": {"catalog": "http://u:PW@h/c.yaml", "n": 3}, "urls": ["a?token=T", ("b",)]}
    assert redact_tree(tree) == {
        "run": {"catalog": f"http://{REDACTED}@h/c.yaml", "n": 3},
        "urls": [f"a?token={REDACTED}", ("b",)],
    }


def test_stream_sees_a_url_written_in_pieces() -> None:
    sink = io.StringIO()
    stream = RedactingStream(sink)
    stream.write("opening http://user:")
    stream.write("PIECEPW@host/x\nnext")
    stream.flush()
    assert "PIECEPW" not in sink.getvalue() and sink.getvalue().endswith("next")


def test_log_records_are_redacted() -> None:
    sink = io.StringIO()
    handler = logging.StreamHandler(sink)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("picpump.test.redact")
    logger.addHandler(handler)
    try:
        logger.warning("fetch %s failed", "http://u:LOGPW@h/f.nc")
    finally:
        logger.removeHandler(handler)
    assert "LOGPW" not in sink.getvalue() and "fetch http://" in sink.getvalue()
