"""The dask dashboard of a running cluster: the link to watch a run in a browser."""

from __future__ import annotations

from typing import Any


def dashboard_link(client: Any) -> str | None:
    """Return the dashboard URL of the cluster behind ``client``, or ``None``.

    The link follows dask's ``distributed.dashboard.link`` template (a hub sets it to its
    proxy); a gateway cluster gives its public address.

    Parameters
    ----------
    client : distributed.Client or None
        From :func:`~picpump.cluster.client_for`; ``None`` (the ``threads`` kind) has no
        dashboard.

    Returns
    -------
    str or None
        The URL, or ``None`` when the scheduler serves no dashboard.
    """
    if client is None:
        return None
    try:
        link = client.dashboard_link
    except (AttributeError, KeyError, ValueError, OSError):
        return None
    return str(link) if link else None


__all__ = ["dashboard_link"]
