"""`make run`: the app on http://localhost:$PORT, on an embedded store unless one is configured;
`make manage CMD="…"`: a management command against the store `make run` is serving.

Without SOLACE_DYNAMODB_ENDPOINT `make run` starts moto's server on loopback (in memory:
everything is gone when it stops), creates the tables and seeds the demo data, then simulates
the last SOLACE_DEMO_SHIFT_HOURS hours (default 3) of the demo hospital's department in the
background (`simulate_shift`), so the queue opens on a busy department. With an endpoint it
creates missing tables and seeds only when SOLACE_SEED_DEMO=1 (and simulates nothing).

While it runs, `make run` writes the variables a second process needs to reach the same store
(endpoints, region, table prefix, archive bucket and key, development mode, the embedded
store's dummy credentials; never a secret of yours) to var/local.env, and removes the file when
it stops. `make manage` reads that file, so a second terminal needs nothing else.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from solace import embedded
from solace.env import env_bool, env_int, env_str

ROOT = Path(__file__).resolve().parent.parent
ENV_FILE_VARIABLE = "SOLACE_LOCAL_ENV"  # where the file goes (tests); default var/local.env
# What a second process needs to reach the store `make run` serves, when set.
SHARED = (
    "SOLACE_DEBUG",
    "SOLACE_DYNAMODB_ENDPOINT",
    "SOLACE_S3_ENDPOINT",
    "SOLACE_AWS_REGION",
    "SOLACE_TABLE_PREFIX",
    "SOLACE_ARCHIVE_BUCKET",
    "SOLACE_KMS_KEY_ID",
)
HEADER = "# Written by `make run` for `make manage`; removed when it stops. Do not edit.\n"


def env_file() -> Path:
    return Path(env_str(ENV_FILE_VARIABLE) or ROOT / "var" / "local.env")


def manage(*args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def write_env_file(path: Path, names: tuple[str, ...]) -> None:
    lines = []
    for name in names:
        value = os.environ.get(name, "").strip()
        if value and "\n" not in value:
            lines.append(f"{name}={value}\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(HEADER + "".join(lines))
    partial.chmod(0o600)
    partial.replace(path)


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        name, equals, value = line.partition("=")
        if not equals or not name.isidentifier():
            raise ValueError(f"{path}:{number}: expected NAME=value")
        values[name] = value
    return values


# Weeks of finished demo visits for the ED operations reports (`seed_report_history`).
DEMO_HISTORY = (("demo", "28", "40"), ("demo-north", "14", "20"))


def _quietly(*args: str) -> None:
    subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )


def keep_reports_current(every_seconds: int, stop: threading.Event, *, history: bool) -> None:
    """What the rollup Lambda does in AWS: fold new encounter events into the ED operations
    rollups (`rollup_drain`) every few seconds while `make run` serves; first, with demo data,
    write four weeks of finished visits so /reports/ has a trend to show."""
    if history:
        for slug, days, per_day in DEMO_HISTORY:
            _quietly(
                "seed_report_history", "--hospital", slug, "--days", days, "--per-day", per_day
            )
    while not stop.is_set():
        _quietly("rollup_drain")
        stop.wait(every_seconds)


def run_manage(args: list[str]) -> int:
    """`make manage CMD="audit_archive"`: manage.py with the environment of the running
    `make run` (the file's values win over this shell's)."""
    path = env_file()
    if not path.exists():
        print(
            f"{path} is missing: start `make run` first (it writes the file while it serves).",
            file=sys.stderr,
        )
        return 2
    if not args:
        args = ["help"]
    env = {**os.environ, **read_env_file(path)}
    try:
        manage(*args, env=env)
    except subprocess.CalledProcessError as failed:
        return failed.returncode
    return 0


def simulate_in_background(hours: int) -> subprocess.Popen:
    """A busy demo: the demo hospital's last hours, simulated through the real services while
    the app already serves (the queue fills in as it runs; its summary line ends it)."""
    print(
        f"Simulating the last {hours} h of the demo department in the background (a minute or "
        "two): the queue fills in as it runs.",
        flush=True,
    )
    command = [sys.executable, "manage.py", "simulate_shift", "--hospital", "demo"]
    return subprocess.Popen([*command, "--hours", str(hours)], cwd=ROOT)  # noqa: S603


def serve() -> int:
    os.environ.setdefault("SOLACE_DEBUG", "1")  # plain http on loopback: no Secure cookies
    port = env_int("PORT", 8000, minimum=1, maximum=65535)
    embedded_port = env_int("SOLACE_EMBEDDED_PORT", 0, minimum=0, maximum=65535)
    seed = env_bool("SOLACE_SEED_DEMO", False)
    rollup_seconds = env_int("SOLACE_LOCAL_ROLLUP_SECONDS", 30, minimum=0)
    stop_rollups = threading.Event()
    shift_hours = env_int("SOLACE_DEMO_SHIFT_HOURS", 3, minimum=0, maximum=48)
    shared = SHARED
    path = env_file()
    store = server = shift = None
    wrote = False
    # `kill` (SIGTERM) stops it as Ctrl-C does: the store, the server and the file go too.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        if not env_str("SOLACE_DYNAMODB_ENDPOINT"):
            store, endpoint = embedded.start_moto_server(embedded_port)
            os.environ["SOLACE_DYNAMODB_ENDPOINT"] = endpoint
            os.environ.setdefault("SOLACE_S3_ENDPOINT", endpoint)  # moto serves S3 and KMS too
            for name, value in embedded.LOCAL_CREDENTIALS.items():
                os.environ.setdefault(name, value)
            shared += tuple(embedded.LOCAL_CREDENTIALS)  # moto's dummies, not yours
            print(f"Embedded store: moto server at {endpoint}, IN MEMORY: data is lost on exit.")
            seed = True
        manage("dynamodb_create_tables")
        if env_str("SOLACE_S3_ENDPOINT"):
            manage("audit_archive_setup")
        if seed:
            manage("seed_demo")
        server, url = embedded.start_gunicorn(
            dict(os.environ), port=port, threads=4, extra_args=("--reload",), stdout=None
        )
        write_env_file(path, shared)
        wrote = True
        if rollup_seconds:
            threading.Thread(
                target=keep_reports_current,
                args=(rollup_seconds, stop_rollups),
                kwargs={"history": seed},
                daemon=True,
            ).start()
            if seed:
                print(
                    "Reports: four weeks of demo visits are being rolled up (a few minutes).",
                    flush=True,
                )
        # localhost, not the IP address: WebAuthn (passkeys) refuses IP addresses.
        local_url = url.replace("127.0.0.1", "localhost")
        print(f"Solace is serving on {local_url}/  (Ctrl-C stops it)", flush=True)
        if store is not None and shift_hours:
            shift = simulate_in_background(shift_hours)
        print(f'In another terminal: make manage CMD="audit_archive" (reads {path})', flush=True)
        return server.wait()
    except subprocess.CalledProcessError as failed:
        print(f"make run: {' '.join(failed.cmd[1:])} failed", file=sys.stderr)
        return failed.returncode or 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop_rollups.set()
        if shift is not None and shift.poll() is None:
            shift.terminate()
            shift.wait(timeout=30)
        if wrote:
            path.unlink(missing_ok=True)
        if server is not None:
            embedded.stop(server)
        if store is not None:
            embedded.stop(store)


def main(argv: list[str]) -> int:
    if argv[:1] == ["manage"]:
        return run_manage(argv[1:])
    return serve()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
