"""A ``gateway`` profile's options, checked, and the login they describe.

Secrets never sit in a profile: ``auth.password_env`` / ``auth.api_token_env`` name the
environment variable that holds them. ``dask_gateway`` is imported only inside
:func:`make_auth`.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from typing import Any

from picpump.cluster import values
from picpump.errors import ClusterError, explain

GATEWAY_KEYS = {
    "address": "the gateway's HTTP address, e.g. https://hub.example.org/services/dask-gateway",
    "proxy_address": "the scheduler proxy, gateway://host:port (null: derived from address)",
    "public_address": "the address browsers use for dashboards (null: address)",
    "auth": "{type: basic | jupyterhub | kerberos, ...}: how to log in",
    "cluster_options": "the deployment's cluster options, e.g. {worker_cores: 2}",
    "timeout": "seconds for the gateway to answer a request [30]",
    "start_timeout": "seconds for a new cluster's scheduler to start [120]",
}
AUTH_KEYS = {
    "basic": {"type": "", "username": "", "password_env": ""},
    "jupyterhub": {"type": "", "api_token_env": ""},
    "kerberos": {"type": ""},
}
SECRET_KEYS = ("password", "api_token", "token")
DASK_CONFIG_KEYS = {
    "address": "gateway.address",
    "proxy_address": "gateway.proxy-address",
    "public_address": "gateway.public-address",
    "auth.type": "gateway.auth.type",
    "cluster_options": "gateway.cluster.options",
}
DEFAULTS: dict[str, Any] = {  # the loopback gateway of cluster/gateway/dev-gateway.sh
    "address": "http://127.0.0.1:8000",
    "proxy_address": "gateway://127.0.0.1:8001",
    "auth": {"type": "basic", "username": "picpump", "password_env": "PICPUMP_GATEWAY_PASSWORD"},
    "timeout": 30,
    "start_timeout": 120,
}


def check_gateway(where: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """Check the options of a ``gateway`` profile; fill in the defaults.

    Parameters
    ----------
    where : str
        The profile, for messages.
    options : mapping
        The ``options:`` section.

    Returns
    -------
    dict
        The options with every key of :data:`GATEWAY_KEYS`.
    """
    given = values.mapping(f"{where}: options", options)
    values.known_keys(f"{where}: options", given, GATEWAY_KEYS)
    at = f"{where}: options."
    address = values.text(at + "address", given.get("address"))
    if not address.startswith(("http://", "https://")):
        raise values.refuse(at + "address", "an http(s):// URL", address, "write the hub's URL")
    for key in ("proxy_address", "public_address"):
        if given.get(key) is not None:
            values.text(at + key, str(given[key]))
    return {
        "address": address.rstrip("/"),
        "proxy_address": given.get("proxy_address"),
        "public_address": given.get("public_address"),
        "auth": _check_auth(at + "auth", given.get("auth")),
        "cluster_options": values.mapping(at + "cluster_options", given.get("cluster_options")),
        "timeout": values.number(at + "timeout", given.get("timeout", 30)),
        "start_timeout": values.number(at + "start_timeout", given.get("start_timeout", 120)),
    }


def _check_auth(where: str, raw: Any) -> dict[str, Any]:
    auth = values.mapping(where, raw) or {"type": "basic"}
    secret = [k for k in SECRET_KEYS if k in auth]
    if secret:
        raise ClusterError(
            explain(
                f"{where} never holds a secret, only the name of the environment variable "
                "that holds it",
                f"a literal {secret[0]!r}",
                f"remove it, export the secret and write {secret[0]}_env: VARIABLE_NAME",
            )
        )
    kind = auth.get("type", "basic")
    if kind not in AUTH_KEYS:
        raise values.refuse(f"{where}.type", f"one of {sorted(AUTH_KEYS)}", kind, "pick one")
    values.known_keys(f"{where} (type {kind})", auth, AUTH_KEYS[kind])
    for key in ("username", "password_env", "api_token_env"):
        if auth.get(key) is not None:
            pattern = values.ENV_NAME if key.endswith("_env") else None
            values.text(f"{where}.{key}", auth[key], pattern)
    return {"type": kind, **{k: v for k, v in auth.items() if k != "type"}}


def _secret(where: str, variable: str) -> str:
    value = os.environ.get(variable)
    if not value:
        raise ClusterError(
            explain(
                f"{where}: the secret is read from the environment variable {variable}",
                f"{variable} is not set",
                f"export {variable}=... before running picpump",
            )
        )
    return value


def make_auth(auth: Mapping[str, Any]) -> Any:
    """Build the ``dask_gateway`` auth object for the profile's ``auth`` section.

    Parameters
    ----------
    auth : mapping
        ``{type: basic, username, password_env}`` (no ``password_env``: no password),
        ``{type: jupyterhub, api_token_env}`` (default variable ``JUPYTERHUB_API_TOKEN``) or
        ``{type: kerberos}``.

    Returns
    -------
    dask_gateway.auth.GatewayAuth
        The auth object.
    """
    from dask_gateway.auth import BasicAuth, JupyterHubAuth, KerberosAuth

    if auth["type"] == "basic":
        username = auth.get("username") or getpass.getuser()
        variable = auth.get("password_env")
        password = None if variable is None else _secret("auth.password_env", variable)
        return BasicAuth(username=username, password=password)
    if auth["type"] == "jupyterhub":
        token = _secret("auth.api_token_env", auth.get("api_token_env") or "JUPYTERHUB_API_TOKEN")
        return JupyterHubAuth(api_token=token)
    return KerberosAuth()


__all__ = [
    "AUTH_KEYS",
    "DASK_CONFIG_KEYS",
    "DEFAULTS",
    "GATEWAY_KEYS",
    "SECRET_KEYS",
    "check_gateway",
    "make_auth",
]
