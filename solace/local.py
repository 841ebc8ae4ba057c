"""`make run`: the app on http://127.0.0.1:$PORT, on an embedded store unless one is configured.

Without SOLACE_DYNAMODB_ENDPOINT it starts moto's server on loopback (in memory: everything is
gone when it stops), creates the tables and seeds the demo data. With an endpoint it creates
missing tables and seeds only when SOLACE_SEED_DEMO=1.
"""

from __future__ import annotations

import os
import subprocess
import sys

from solace import embedded
from solace.env import env_bool, env_int, env_str


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], check=True)  # noqa: S603


def main() -> int:
    os.environ.setdefault("SOLACE_DEBUG", "1")  # plain http on loopback: no Secure cookies
    port = env_int("PORT", 8000, minimum=1, maximum=65535)
    embedded_port = env_int("SOLACE_EMBEDDED_PORT", 0, minimum=0, maximum=65535)
    store = None
    seed = env_bool("SOLACE_SEED_DEMO", False)
    if not env_str("SOLACE_DYNAMODB_ENDPOINT"):
        store, endpoint = embedded.start_moto_server(embedded_port)
        os.environ["SOLACE_DYNAMODB_ENDPOINT"] = endpoint
        os.environ.setdefault("SOLACE_S3_ENDPOINT", endpoint)  # moto serves S3 and KMS too
        for name, value in embedded.LOCAL_CREDENTIALS.items():
            os.environ.setdefault(name, value)
        print(f"Embedded store: moto server at {endpoint}, IN MEMORY: data is lost on exit.")
        seed = True
    try:
        manage("dynamodb_create_tables")
        if env_str("SOLACE_S3_ENDPOINT"):
            manage("audit_archive_setup")
        if seed:
            manage("seed_demo")
        server, url = embedded.start_gunicorn(
            dict(os.environ), port=port, threads=4, extra_args=("--reload",), stdout=None
        )
        print(f"Solace is serving on {url}/  (Ctrl-C stops it)", flush=True)
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if store is not None:
            embedded.stop(store)


if __name__ == "__main__":
    sys.exit(main())
