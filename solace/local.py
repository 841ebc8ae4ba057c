"""`make run`: the app on http://localhost:$PORT, on an embedded store unless one is configured.

Without SOLACE_DYNAMODB_ENDPOINT it starts moto's server on loopback (in memory: everything is
gone when it stops), creates the tables and seeds the demo data. With an endpoint it creates
missing tables and seeds only when SOLACE_SEED_DEMO=1.
"""

from __future__ import annotations

import os
import subprocess
import sys

from solace import embedded


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], check=True)  # noqa: S603


def main() -> int:
    os.environ.setdefault("SOLACE_DEBUG", "1")  # plain http on loopback: no Secure cookies
    port = os.environ.get("PORT", "8000")
    store = None
    seed = os.environ.get("SOLACE_SEED_DEMO") == "1"
    if not os.environ.get("SOLACE_DYNAMODB_ENDPOINT"):
        store, endpoint = embedded.start_moto_server(int(os.environ.get("SOLACE_EMBEDDED_PORT", 0)))
        os.environ["SOLACE_DYNAMODB_ENDPOINT"] = endpoint
        os.environ.setdefault("SOLACE_S3_ENDPOINT", endpoint)  # moto serves S3 and KMS too
        for name, value in embedded.LOCAL_CREDENTIALS.items():
            os.environ.setdefault(name, value)
        print(f"Embedded store: moto server at {endpoint}, IN MEMORY: data is lost on exit.")
        seed = True
    try:
        manage("dynamodb_create_tables")
        if os.environ.get("SOLACE_S3_ENDPOINT"):
            manage("audit_archive_setup")
        if seed:
            manage("seed_demo")
        server, url = embedded.start_gunicorn(
            dict(os.environ), port=int(port), threads=4, extra_args=("--reload",), stdout=None
        )
        # localhost, not the IP address: WebAuthn (passkeys) refuses IP addresses.
        local_url = url.replace("127.0.0.1", "localhost")
        print(f"Solace is serving on {local_url}/  (Ctrl-C stops it)", flush=True)
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if store is not None:
            embedded.stop(store)


if __name__ == "__main__":
    sys.exit(main())
