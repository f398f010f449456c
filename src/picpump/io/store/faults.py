"""Fault injection at named points of a run, for the tests of kills and concurrent runs.

A run calls :func:`fault_point` at each step where a kill or a delay matters (before and
after each publish, before the product catalog, the summary and the switch of generation).
Nothing happens unless the environment variable ``PICPUMP_FAULT_AT`` names the point::

    PICPUMP_FAULT_AT="<pattern>[:<action>][,<pattern>[:<action>]...]"

``<pattern>`` is a point name or a glob (``publish:*``, ``*``); ``<action>`` is ``kill``
(the process sends itself SIGKILL: nothing is cleaned up, as after a power cut or the OOM
killer), ``sleep=<seconds>`` (a delay, to widen a race), or ``raise`` (a ``RuntimeError``).
The default action is ``kill``. Every point reached is announced on stderr when the variable
is set, so a test can see where the run was.

Points: ``lock:acquired``, ``publish:<product>`` (before a store is published),
``published:<product>`` (after), ``tables``, ``catalog``, ``summary``, ``switch``
(before the generation pointer moves), ``switched`` (after it moved, before old generations
are removed).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from fnmatch import fnmatchcase

FAULT_VARIABLE = "PICPUMP_FAULT_AT"
"""The environment variable read by :func:`fault_point`."""


def _rules(text: str) -> list[tuple[str, str]]:
    """Parse ``PICPUMP_FAULT_AT`` into ``(pattern, action)`` pairs."""
    rules = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        # point names hold a colon themselves (publish:monthly): the action is the last part
        head, _, tail = item.rpartition(":")
        rules.append((head, tail) if head and _is_action(tail) else (item, "kill"))
    return rules


def _is_action(text: str) -> bool:
    return text in ("kill", "raise") or text.startswith("sleep=")


def fault_point(name: str) -> None:
    """Act at the point ``name`` when ``PICPUMP_FAULT_AT`` names it (see the module doc).

    Parameters
    ----------
    name : str
        The point, e.g. ``"publish:monthly"`` or ``"switch"``.

    Raises
    ------
    RuntimeError
        With the action ``raise``.
    """
    text = os.environ.get(FAULT_VARIABLE, "")
    if not text:
        return
    for pattern, action in _rules(text):
        if not fnmatchcase(name, pattern):
            continue
        print(f"fault point {name}: {action}", file=sys.stderr, flush=True)
        if action == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        elif action == "raise":
            raise RuntimeError(f"fault injected at {name}")
        else:
            time.sleep(float(action.removeprefix("sleep=")))
        return


__all__ = ["FAULT_VARIABLE", "fault_point"]
