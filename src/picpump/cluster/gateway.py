"""A Pangeo hub's dask-gateway: ``Gateway(address, proxy_address, auth) → new cluster``.

The options and the login are :mod:`picpump.cluster.gateway_options`'s. ``dask_gateway`` is
imported only inside the functions that talk to a gateway.
"""

from __future__ import annotations

import concurrent.futures
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Any

from picpump.cluster import scaling, values
from picpump.cluster.gateway_options import DASK_CONFIG_KEYS, DEFAULTS, check_gateway, make_auth
from picpump.cluster.launcher import ScalableLauncher
from picpump.cluster.spec import Profile
from picpump.errors import ClusterError, explain


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


def _shut_down(gateway: Any, name: str | None, cluster: Any, client: Any) -> None:
    """Close the client, shut the cluster down (or stop a cluster that never connected)."""
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


class GatewayLauncher(ScalableLauncher):
    """``gateway``: a new cluster from a dask-gateway, shut down on exit."""

    kind = "gateway"
    worker_defaults = {"scale": 2, "timeout": 120}
    dask_config = DASK_CONFIG_KEYS
    defaults = DEFAULTS
    atomic = frozenset({"auth"})

    def defaults_under(self, upper: Mapping[str, Any]) -> Mapping[str, Any]:
        """Keep the loopback dev gateway's addresses only when no layer above names a gateway."""
        if upper.get("address") is None:
            return self.defaults
        return {k: v for k, v in self.defaults.items() if not k.endswith("address")}

    def check(self, where: str, options: Mapping[str, Any]) -> dict[str, Any]:
        """Check the options; see :func:`~picpump.cluster.gateway_options.check_gateway`."""
        return check_gateway(where, options)

    @contextmanager
    def start(self, profile: Profile) -> Iterator[Any]:
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
                _shut_down(gateway, name, cluster, client)

    def describe(self, profile: Profile) -> str:
        """Show the address, the login (no secret), the cluster options and the workers."""
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
        cluster_options = ", ".join(f"{k}={v!r}" for k, v in opts["cluster_options"].items())
        lines = [
            f"kind: gateway ({profile.source})",
            f"address: {opts['address']}",
            f"proxy_address: {opts['proxy_address'] or '(from address)'}",
            f"auth: {auth_text}",
            f"cluster_options: {cluster_options or '(defaults)'}",
            f"workers: {scale}; wait for {workers.wait} within {workers.timeout:g} s",
        ]
        return "\n".join(lines) + "\n"


__all__ = ["GatewayLauncher", "connected", "health"]
