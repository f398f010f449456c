"""A dask-gateway server on loopback, for trying the `gateway` profile and for the tests.

Started by ``cluster/gateway/dev-gateway.sh start``. Clusters run as local processes of the
user who started the server (``UnsafeLocalBackend``: no user switching, for development only);
clients log in with any user name and the password in ``PICPUMP_GATEWAY_PASSWORD``.

Environment
-----------
PICPUMP_GATEWAY_PASSWORD   the password clients must give (required)
PICPUMP_GATEWAY_PORT       HTTP port of the gateway (its public address) [8000]
PICPUMP_GATEWAY_PROXY_PORT port of the scheduler proxy (``gateway://``) [8001]
PICPUMP_GATEWAY_DIR        working directory for the clusters' files [$TMPDIR/picpump-dev-gateway]
"""

import os
import sys
import tempfile
from pathlib import Path

from dask_gateway_server.options import Float, Integer, Options

c = get_config()  # type: ignore[name-defined]  # noqa: F821 (provided by traitlets)

password = os.environ.get("PICPUMP_GATEWAY_PASSWORD")
if not password:
    sys.exit("dask_gateway_config.py: set PICPUMP_GATEWAY_PASSWORD")
state = Path(
    os.environ.get("PICPUMP_GATEWAY_DIR") or Path(tempfile.gettempdir()) / "picpump-dev-gateway"
)
# The `dask` command of the Python environment the server runs in (the project's venv).
dask_cli = str(Path(sys.executable).with_name("dask"))

c.DaskGateway.address = "127.0.0.1:0"  # private API: an ephemeral port
c.Proxy.address = f"127.0.0.1:{os.environ.get('PICPUMP_GATEWAY_PORT', '8000')}"
c.Proxy.tcp_address = f"127.0.0.1:{os.environ.get('PICPUMP_GATEWAY_PROXY_PORT', '8001')}"

c.DaskGateway.authenticator_class = "dask_gateway_server.auth.SimpleAuthenticator"
c.SimpleAuthenticator.password = password

c.DaskGateway.backend_class = "dask_gateway_server.backends.local.UnsafeLocalBackend"
c.LocalBackend.clusters_directory = str(state / "clusters")
c.ClusterConfig.scheduler_cmd = [dask_cli, "scheduler"]
c.ClusterConfig.worker_cmd = [dask_cli, "worker"]
c.ClusterConfig.idle_timeout = 600
c.ClusterConfig.cluster_max_workers = 4
c.Backend.cluster_options = Options(
    Integer("worker_cores", default=1, min=1, max=2, label="Worker cores"),
    Float("worker_memory", default=1, min=0.25, max=4, label="Worker memory (GiB)"),
    Integer("worker_threads", default=1, min=1, max=4, label="Threads per worker"),
    handler=lambda options: {
        "worker_cores": options.worker_cores,
        "worker_memory": int(options.worker_memory * 2**30),
        "worker_threads": options.worker_threads,
    },
)
