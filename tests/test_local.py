"""`make run` and a second terminal: `make manage CMD="…"` reaches the same store with nothing
but the file `make run` writes (endpoints, local credentials, development mode)."""

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from solace import embedded

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "local-demo-password-123"


def _fresh_terminal(**extra: str) -> dict[str, str]:
    """A new shell: none of this run's Solace, AWS or Django variables."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SOLACE_", "AWS_", "DJANGO_", "PYTEST_"))
    }
    return {**env, **extra}


def _make_manage(env_file: Path, command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", "-s", "manage", f"CMD={command}"],
        cwd=ROOT,
        env=_fresh_terminal(SOLACE_LOCAL_ENV=str(env_file)),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_manage_without_a_running_make_run_says_so(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "solace.local", "manage", "check"],
        cwd=ROOT,
        env=_fresh_terminal(SOLACE_LOCAL_ENV=str(tmp_path / "local.env")),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "start `make run` first" in result.stderr


@pytest.fixture
def make_run(tmp_path):
    """`make run` (solace.local) on free ports, in its own process group like a terminal's."""
    env_file = tmp_path / "local.env"
    env = _fresh_terminal(
        PORT=str(embedded.free_port()),
        SOLACE_LOCAL_ENV=str(env_file),
        SOLACE_DEMO_PASSWORD=PASSWORD,
        # No simulated shift: its audit entries would land while the archive is verified.
        SOLACE_DEMO_SHIFT_HOURS="0",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "solace.local"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not env_file.exists():
            assert process.poll() is None, "make run stopped"
            assert time.monotonic() < deadline, "make run did not start in time"
            time.sleep(0.2)
        yield env_file, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)  # Ctrl-C
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@pytest.mark.live
@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_a_second_terminal_runs_commands_against_make_runs_store(make_run):
    env_file, process = make_run
    written = dict(line.split("=", 1) for line in env_file.read_text().splitlines()[1:])
    assert set(written) == {
        "SOLACE_DEBUG",
        "SOLACE_DYNAMODB_ENDPOINT",
        "SOLACE_S3_ENDPOINT",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_DEFAULT_REGION",
    }
    assert PASSWORD not in env_file.read_text()  # never a secret
    assert written["AWS_ACCESS_KEY_ID"] == embedded.LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"]

    # What the README used to say, `python manage.py audit_archive`, fails in a new terminal.
    bare = subprocess.run(
        [sys.executable, "manage.py", "audit_archive"],
        cwd=ROOT,
        env=_fresh_terminal(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bare.returncode != 0

    seeded = _make_manage(env_file, "seed_demo")
    assert seeded.returncode == 0, seeded.stderr
    assert "demo data already present" in seeded.stdout
    archived = _make_manage(env_file, "audit_archive")
    assert archived.returncode == 0, archived.stderr
    assert archived.stdout.startswith("written ")
    print_demo_id = (
        "from accounts import repository as r; print(r.hospital_get_by_slug('demo').hospital_id)"
    )
    demo_id = _make_manage(env_file, f'shell --no-imports -c "{print_demo_id}"')
    assert demo_id.returncode == 0, demo_id.stderr
    hospital = demo_id.stdout.strip().splitlines()[-1]
    today = datetime.now(UTC).date().isoformat()
    verified = _make_manage(env_file, f"audit_verify --hospital {hospital} --date {today}")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "nothing missing or duplicated" in verified.stdout

    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C: the store and the file go
    assert process.wait(timeout=30) == 0
    assert not env_file.exists()
