"""Secrets never leave: redact credentials from every URL or command line picpump records.

Three kinds of secret are recognised in any text:

- the userinfo of a URL (``https://user:password@host/...``, ``https://token@host/...``);
- the value of a query parameter or ``KEY=VALUE`` pair whose name says it is a secret
  (``X-Amz-Signature``, ``X-Amz-Credential``, ``token``, ``access_token``, ``sig``,
  ``password``, ``api_key`` ...);
- the value of an ``Authorization`` header written as text.

Each is replaced by :data:`REDACTED`; everything else is left as it was.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any, TextIO

REDACTED = "***"

_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.\-]*://)(?P<userinfo>[^/?#@\s'\"`]+)@")
_SECRET_NAME = (
    r"[\w.\-]*?(?:token|secret|passw(?:or)?d?|pwd|signature|credential|api[_\-]?key"
    r"|access[_\-]?key|private[_\-]?key)[\w.\-]*|auth|authorization"
)
_QUERY_SECRET_NAME = r"sig|key|sas|code"
_VALUE_CHARS = r"[^&#\s'\"`,;)}]+"
_SECRET_PAIR = re.compile(
    rf"(?P<lead>(?:^|[?&;\s'\"`,{{(]))(?P<name>{_SECRET_NAME})=(?P<value>{_VALUE_CHARS})"
    rf"|(?P<qlead>[?&;])(?P<qname>{_QUERY_SECRET_NAME})=(?P<qvalue>{_VALUE_CHARS})",
    re.IGNORECASE,
)
_BEARER = re.compile(r"\b(?P<kind>Bearer|Basic)\s+[A-Za-z0-9._~+/=\-]{8,}", re.IGNORECASE)


def _hide_value(match: re.Match[str]) -> str:
    if match["name"] is not None:
        return f"{match['lead']}{match['name']}={REDACTED}"
    return f"{match['qlead']}{match['qname']}={REDACTED}"


def redact(text: str) -> str:
    """Return ``text`` with URL userinfo, secret parameters and auth headers replaced.

    Parameters
    ----------
    text : str
        Any text: a URL, a command line, a log line, an error message.

    Returns
    -------
    str
        The same text, secrets replaced by :data:`REDACTED`.

    Examples
    --------
    >>> redact("http://me:pw@host/a.nc?X-Amz-Signature=abc&b=1")
    'http://***@host/a.nc?X-Amz-Signature=***&b=1'
    """
    text = _USERINFO.sub(lambda m: f"{m['scheme']}{REDACTED}@", text)
    text = _SECRET_PAIR.sub(_hide_value, text)
    return _BEARER.sub(lambda m: f"{m['kind']} {REDACTED}", text)


def redact_tree(value: Any) -> Any:
    """Apply :func:`redact` to every string of a JSON-like tree (dicts, lists, tuples).

    Parameters
    ----------
    value : object
        A string, a mapping, a list or tuple of such, or any other value (returned as is).

    Returns
    -------
    object
        A copy with every string redacted.
    """
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {key: redact_tree(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact_tree(item) for item in value)
    return value


class RedactingStream:
    """A text stream that redacts every line before passing it to the stream it wraps.

    Text is buffered up to the end of a line so that a URL written in pieces is still seen whole.

    Parameters
    ----------
    stream : TextIO
        The stream written to (``sys.stdout``, ``sys.stderr``).
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._pending = ""

    def write(self, text: str) -> int:
        """Write ``text``, redacted, up to its last complete line."""
        self._pending += text
        if "\n" in self._pending:
            complete, self._pending = self._pending.rsplit("\n", 1)
            self.stream.write(redact(complete) + "\n")
        return len(text)

    def flush(self) -> None:
        """Write any pending partial line, redacted, and flush."""
        if self._pending:
            self.stream.write(redact(self._pending))
            self._pending = ""
        self.stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts each record's message (arguments merged in first)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place; keep it."""
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


__all__ = ["REDACTED", "RedactingFilter", "RedactingStream", "redact", "redact_tree"]
