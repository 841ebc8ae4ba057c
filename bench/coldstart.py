"""Cold start: Solace's WSGI application next to a default `django-admin startproject` project.

Each number is the best of COLD_STARTS fresh interpreters (the two projects alternate, so load
from elsewhere on the machine hits both alike). A probe process imports the project's WSGI
module (the `application` object built), then serves requests by calling that application
in-process, the way gunicorn's worker would, without a socket. Times come from
time.perf_counter (CLOCK_MONOTONIC: one clock for all processes of the machine), so "from
process start" counts from just before the parent spawns the interpreter.

`python -m bench.coldstart` prints this section alone (on the embedded store).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLD_STARTS = 7
NO_BYTECODE_STARTS = 3  # compiling everything is slow and never the best case anyway
REFERENCE = "coldref"

PROBE = r"""
import importlib, io, json, sys, time

importing, cpu = time.perf_counter(), time.process_time()
application = importlib.import_module(sys.argv[1]).application
stamps = {"importing": importing, "imported": time.perf_counter()}
stamps["import_cpu"] = time.process_time() - cpu
if sys.argv[2]:
    exec(sys.argv[2])
    stamps["warmed"] = time.perf_counter()
for path in sys.argv[3:]:
    statuses = []
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1:8000",
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr,
        "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
    }
    response = application(environ, lambda status, headers, exc_info=None: statuses.append(status))
    body = b"".join(response)
    response.close()
    stamps[path] = time.perf_counter()
    if statuses != ["200 OK"]:
        raise SystemExit(f"{path}: {statuses} {body[:500]!r}")
print("COLD " + json.dumps(stamps))
"""
# Solace's DynamoDB client, built after the import (the first DynamoDB request builds it).
BUILD_CLIENT = "from solace import dynamodb; dynamodb.get_client()"


def reference_project(directory: Path) -> None:
    directory.mkdir()
    subprocess.run(
        [sys.executable, "-m", "django", "startproject", REFERENCE, str(directory)], check=True
    )


def probe(
    module: str, paths: list[str], cwd: Path, env: dict[str, str], warm: str = ""
) -> dict[str, float]:
    spawned = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", PROBE, module, warm, *paths],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("COLD ")]
    if result.returncode != 0 or not lines:
        raise RuntimeError(
            f"{module} probe failed:\n{result.stdout[-2000:]}{result.stderr[-3000:]}"
        )
    stamps = json.loads(lines[-1].removeprefix("COLD "))
    times = {
        "import": stamps["imported"] - stamps["importing"],
        "import_cpu": stamps["import_cpu"],
        "ready": stamps["imported"] - spawned,
        **{path: stamps[path] - spawned for path in paths},
    }
    if warm:
        times["warm"] = stamps["warmed"] - stamps["importing"]
    return times


def best(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: min(run[key] for run in runs) for key in runs[0]}


def measure(solace_env: dict[str, str], intake_path: str) -> dict:
    """solace_env: the environment of the app (its store, tables and secret); intake_path: the
    intake form of a hospital that exists there."""
    import django

    solace_paths = ["/healthz", intake_path]
    with tempfile.TemporaryDirectory(prefix="solace-coldref-") as tmp:
        reference_dir = Path(tmp) / "project"
        reference_project(reference_dir)
        # Both projects read their bytecode from one fresh cache, written by the first round
        # (whatever PYTHONDONTWRITEBYTECODE says here, and without writing into the tree).
        cached = {"PYTHONPYCACHEPREFIX": str(Path(tmp) / "pycache")}
        reference_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("SOLACE_")},
            **cached,
            "DJANGO_SETTINGS_MODULE": f"{REFERENCE}.settings",
        }
        reference_env.pop("PYTHONDONTWRITEBYTECODE", None)
        cached_env = {**solace_env, **cached}
        cached_env.pop("PYTHONDONTWRITEBYTECODE", None)
        # Without bytecode caches: what every start of an image without .pyc files pays.
        no_bytecode_env = {
            **solace_env,
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONPYCACHEPREFIX": str(Path(tmp) / "empty"),
        }
        runs: dict[str, list] = {"reference": [], "solace": [], "client": [], "no_bytecode": []}
        for n in range(COLD_STARTS + 1):  # round 0 only writes the bytecode caches
            reference = probe(f"{REFERENCE}.wsgi", ["/admin/login/"], reference_dir, reference_env)
            solace = probe("solace.wsgi", solace_paths, ROOT, cached_env)
            client = probe("solace.wsgi", [], ROOT, cached_env, warm=BUILD_CLIENT)
            if n:
                runs["reference"].append(reference)
                runs["solace"].append(solace)
                runs["client"].append(client)
            if n < NO_BYTECODE_STARTS:
                runs["no_bytecode"].append(probe("solace.wsgi", [], ROOT, no_bytecode_env))
    result = {name: best(r) for name, r in runs.items()}
    result["ratio"] = result["solace"]["import"] / result["reference"]["import"]
    result["django"] = django.get_version()
    result["runs"] = COLD_STARTS
    result["no_bytecode_runs"] = NO_BYTECODE_STARTS
    result["intake_path"] = intake_path
    return result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def report(cold: dict, gunicorn_first_healthz: float | None = None) -> list[str]:
    ref, sol, client, raw = cold["reference"], cold["solace"], cold["client"], cold["no_bytecode"]
    intake = cold["intake_path"]
    ratio = cold["ratio"]
    cpu_ratio = sol["import_cpu"] / ref["import_cpu"]
    lines = [
        "## Cold start",
        "",
        f"Best of {cold['runs']} fresh interpreters each (wall clock); the reference is a "
        f"default `django-admin startproject` project of the installed Django {cold['django']}, "
        "generated at bench time, settings untouched. Requests are served by calling the WSGI "
        "application in the same process, as gunicorn's worker does, without a socket.",
        "",
        "| | default startproject | Solace | ratio |",
        "|---|---|---|---|",
        f"| import the WSGI application | {ms(ref['import'])} ms | {ms(sol['import'])} ms "
        f"| **{ratio:.2f}** (CPU time: {cpu_ratio:.2f}) |",
        f"| … and build the DynamoDB client | | {ms(client['warm'])} ms "
        f"| {client['warm'] / ref['import']:.2f} |",
        f"| process start to application imported | {ms(ref['ready'])} ms "
        f"| {ms(sol['ready'])} ms | {sol['ready'] / ref['ready']:.2f} |",
        f"| process start to the first response | {ms(ref['/admin/login/'])} ms "
        f"(`/admin/login/`) | {ms(sol['/healthz'])} ms (`/healthz`) | |",
        f"| process start to the intake form served | | {ms(sol[intake])} ms | |",
        "",
        f"Target: importing the application takes at most 1.5 times the default project's: "
        f"**{'met' if ratio <= 1.5 else 'NOT met'}** ({ratio:.2f}).",
        "",
        "What the import covers. Solace's is the application completely built: Django set up, "
        "the middleware, and the URLconf with every view module imported (`solace/wsgi.py` "
        "loads it at start-up): the intake form, the queue, sign-in, the triage engine, the "
        "session store. Only the archiver's route (`/events`, archiver function only) is left "
        "out. The default project's is Django set up with its default apps (admin, auth, "
        "contenttypes, sessions, messages, staticfiles; with them the ORM and SQLite) and "
        "middleware; its URLconf loads with its first request. The interpreter's own start is "
        "in neither (it is in the rows from process start, the same for both).",
        "",
        "What it leaves out: boto3 and botocore's client machinery (sessions, parsers, "
        "signers), imported when the first DynamoDB client is built, which the first request "
        "that reads or writes DynamoDB does, and the client itself (botocore reads the "
        "service model): the second row. Opening the intake form is such a request; its row "
        "counts that, the compiled templates and one request to the embedded store (the "
        f"hospital by slug; the form's GET writes nothing): {ms(sol[intake] - sol['/healthz'])} "
        "ms after `/healthz`. `/healthz` (the Lambda Web Adapter's readiness check) needs "
        "neither. In AWS the secret key is read from SSM while the settings load, which "
        "builds an SSM client: there the client machinery loads at start-up, plus one SSM "
        "request (these numbers take the key from the environment).",
        "",
        f"Without bytecode caches every module is compiled from source at each start: importing "
        f"the application then takes {ms(raw['import'])} ms (best of "
        f"{cold['no_bytecode_runs']}) instead of {ms(sol['import'])} ms. The image's file "
        "system is read-only at run time, so the image compiles them when it is built.",
    ]
    if gunicorn_first_healthz is not None:
        lines += [
            "",
            f"Through a real server: gunicorn started (2 workers x 8 threads) to the first 200 "
            f"from `/healthz` over HTTP: {ms(gunicorn_first_healthz)} ms (polled every 100 ms"
            + (
                "; this environment sets PYTHONDONTWRITEBYTECODE, so that includes compiling "
                "the app's own modules)."
                if os.environ.get("PYTHONDONTWRITEBYTECODE")
                else ")."
            ),
        ]
    return [*lines, ""]


def main() -> int:
    """This section alone, on the embedded store."""
    sys.path.insert(0, str(ROOT))
    from bench.run import App, seed_hospital

    app = App()
    try:
        hospital = seed_hospital("Cold start")
        cold = measure(app.env, f"/h/{hospital.slug}/intake/")
    finally:
        app.stop()
    print("\n".join(report(cold, app.first_healthz_seconds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
