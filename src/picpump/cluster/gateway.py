"""A Pangeo hub's dask-gateway: ``Gateway(address, proxy_address, auth) → new cluster``.

Secrets never sit in a profile: ``auth.password_env`` / ``auth.api_token_env`` name the
environment variable that holds them. ``dask_gateway`` is imported only inside the functions
that talk to a gateway.
"""

from __future__ import annotations

import concurrent.futures
import getpass
import os
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Any

from picpump.cluster import scaling, values
from picpump.cluster.spec import Profile
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


def health(address: str, timeout: float) -> None:
    """Refuse an unreachable or unhealthy gateway fast (``GET <address>/api/health``)."""
    try:
        with urllib.request.urlopen(f"{address}/api/health", timeout=timeout) as answer:
            answer.read()
    except urllib.error.HTTPError as err:
        raise ClusterError(
            explain(
                "the gateway must report itself healthy",
                f"{address}/api/health answered HTTP {err.code}",
                "ask the hub's administrators; check the address",
            )
        ) from err
    except (OSError, ValueError) as err:
        raise ClusterError(
            explain(
                f"the gateway must answer at {address} within {timeout:g} s",
                f"{type(err).__name__}: {getattr(err, 'reason', err)}",
                "check options.address (and the VPN / proxy); is the gateway running?",
            )
        ) from err


def _bounded[T](call: Callable[[], T], timeout: float, what: str) -> T:
    """Run ``call`` in a helper thread; refuse to wait more than ``timeout`` seconds."""
    result: concurrent.futures.Future[T] = concurrent.futures.Future()

    def target() -> None:
        try:
            result.set_result(call())
        except BaseException as err:  # handed over to the waiting thread
            result.set_exception(err)

    threading.Thread(target=target, name=f"picpump-{what}", daemon=True).start()
    try:
        return result.result(timeout=timeout)
    except concurrent.futures.TimeoutError as err:
        raise ClusterError(
            explain(
                f"the gateway must {what} within {timeout:g} s",
                "no answer in time",
                "check the gateway's state; raise options.timeout / options.start_timeout",
            )
        ) from err
    except Exception as err:
        raise _translate(err, what) from err


def _translate(err: Exception, what: str) -> ClusterError:
    status = getattr(err, "status", None)
    if status in (401, 403):
        return ClusterError(
            explain(
                "the gateway must accept the profile's credentials",
                f"HTTP {status} while trying to {what}",
                "check auth.username and the secret in the variable named by auth.*_env",
            )
        )
    if isinstance(err, ClusterError):
        return err
    return ClusterError(
        explain(f"the gateway must {what}", f"{type(err).__name__}: {err}", "see the gateway's log")
    )


def _options(gateway: Any, wanted: Mapping[str, Any], timeout: float) -> Any:
    options = _bounded(gateway.cluster_options, timeout, "list its cluster options")
    for key, value in wanted.items():
        try:
            options[key] = value
        except KeyError as err:
            raise ClusterError(
                explain(
                    f"options.cluster_options must be options this gateway offers: {list(options)}",
                    repr(key),
                    "remove or rename it",
                )
            ) from err
        except (TypeError, ValueError) as err:
            raise ClusterError(
                explain("a cluster option must be valid for the gateway", str(err), "fix it")
            ) from err
    return options


def _closed(gateway: Any) -> None:
    """Keep a closed ``Gateway`` from closing again when collected.

    ``Gateway.__del__`` calls ``close()`` again, which reads the stopped loop of its
    ``LoopRunner``; recent ``distributed`` raises there ("Exception ignored in ...").
    ``__del__`` skips objects without a ``_loop_runner``.
    """
    with suppress(AttributeError):
        del gateway._loop_runner


@contextmanager
def connected(options: Mapping[str, Any]) -> Iterator[Any]:
    """Check the gateway answers, then yield a ``dask_gateway.Gateway`` for it; close it after.

    Parameters
    ----------
    options : mapping
        The options of a checked ``gateway`` profile.

    Yields
    ------
    dask_gateway.Gateway
        Logged in with the profile's auth.
    """
    values.require("dask_gateway", "dask-gateway", "gateway")
    from dask_gateway import Gateway

    health(options["address"], options["timeout"])
    gateway = Gateway(
        address=options["address"],
        proxy_address=options["proxy_address"],
        public_address=options["public_address"],
        auth=make_auth(options["auth"]),
    )
    try:
        yield gateway
    finally:
        with suppress(Exception):
            gateway.close()
        _closed(gateway)


@contextmanager
def running(profile: Profile) -> Iterator[Any]:
    """Start a gateway cluster, scale it and yield a client; shut the cluster down on exit.

    Parameters
    ----------
    profile : Profile
        A checked ``gateway`` profile.

    Yields
    ------
    distributed.Client
        Connected through the gateway's proxy, with ``profile.workers.wait`` workers joined.
    """
    opts = profile.options
    with connected(opts) as gateway:
        name: str | None = None
        cluster: Any = None
        client: Any = None
        try:
            options = _options(gateway, opts["cluster_options"], opts["timeout"])
            name = _bounded(
                lambda: gateway.submit(options), opts["timeout"], "accept a new cluster"
            )
            cluster = _bounded(
                lambda: gateway.connect(name, shutdown_on_close=True),
                opts["start_timeout"],
                f"start cluster {name}",
            )
            scaling.apply(cluster, profile.workers)
            client = cluster.get_client(set_as_default=False)
            scaling.wait(client, profile.workers, lambda: f"gateway cluster {name}")
            yield client
        finally:
            if client is not None:
                with suppress(Exception):
                    client.close()
            if cluster is not None:
                with suppress(Exception):
                    cluster.shutdown()
                _closed(cluster.gateway)
            elif name is not None:
                with suppress(Exception):
                    gateway.stop_cluster(name)


def describe_gateway(profile: Profile) -> str:
    """Describe what a ``gateway`` profile would ask for (no secret is shown)."""
    opts, workers = profile.options, profile.workers
    auth = opts["auth"]
    auth_text = auth["type"] + "".join(
        f", {k}={v}" for k, v in auth.items() if k != "type" and v is not None
    )
    scale = (
        f"adapt {workers.adapt[0]}..{workers.adapt[1]}"
        if workers.adapt is not None
        else f"scale {workers.scale}"
    )
    lines = [
        f"kind: gateway ({profile.source})",
        f"address: {opts['address']}",
        f"proxy_address: {opts['proxy_address'] or '(from address)'}",
        f"auth: {auth_text}",
        "cluster_options: "
        + (", ".join(f"{k}={v!r}" for k, v in opts["cluster_options"].items()) or "(defaults)"),
        f"workers: {scale}; wait for {workers.wait} within {workers.timeout:g} s",
    ]
    return "\n".join(lines) + "\n"


__all__ = [
    "GATEWAY_KEYS",
    "check_gateway",
    "connected",
    "describe_gateway",
    "make_auth",
    "running",
]
