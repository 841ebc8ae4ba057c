"""Installs are reproducible: the lock files agree with requirements*.txt (the files people
edit), pin every package with its hashes, and are what CI and the image install.

A failure here after editing requirements*.txt means: run `make lock` and commit the locks.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)")


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def inputs(filename: str) -> dict[str, str]:
    """The pins of one requirements file and the files it includes: {name: version}."""
    pins = {}
    for raw in (ROOT / filename).read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-r "):
            pins.update(inputs(line[3:].strip()))
            continue
        match = PIN.match(line)
        assert match, f"{filename}: {raw!r} is not an exact pin (name==version)"
        pins[normalize(match[1])] = match[3]
    return pins


def lock(filename: str) -> dict[str, dict]:
    """{name: {"version", "hashes", "via"}} of a lock file written by `make lock`."""
    entries: dict[str, dict] = {}
    current = None
    for line in (ROOT / filename).read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            match = PIN.match(line)
            assert match, f"{filename}: unexpected line {line!r}"
            assert match[2] is None, f"{filename}: extras belong in requirements*.txt: {line!r}"
            current = entries.setdefault(
                normalize(match[1]), {"version": match[3], "hashes": [], "via": []}
            )
            continue
        text = line.strip().rstrip("\\").strip()
        if text.startswith("--hash="):
            current["hashes"].append(text.removeprefix("--hash="))
        elif text.startswith("#"):
            via = text[1:].strip()
            via = via[4:] if via.startswith("via ") else "" if via == "via" else via
            if via:
                current["via"].append(via)
        else:
            pytest.fail(f"{filename}: unexpected line {line!r}")
    return entries


RUNTIME_LOCK = lock("requirements.lock")
DEV_LOCK = lock("requirements-dev.lock")


@pytest.mark.parametrize(
    ("source", "locked"),
    [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")],
)
def test_every_pin_is_locked_at_its_version(source, locked):
    entries = lock(locked)
    stale = {
        name: (version, entries.get(name, {}).get("version"))
        for name, version in inputs(source).items()
        if entries.get(name, {}).get("version") != version
    }
    assert not stale, f"{source} changed without `make lock`: {{name: (pin, locked)}} {stale}"


@pytest.mark.parametrize(
    ("source", "locked"),
    [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")],
)
def test_nothing_is_locked_for_a_removed_pin(source, locked):
    wanted = inputs(source)
    orphans = [
        name
        for name, entry in lock(locked).items()
        if any(via.startswith("-r requirements") for via in entry["via"])
        and name not in wanted
        and not any(via and not via.startswith(("-r ", "-c ")) for via in entry["via"])
    ]
    assert not orphans, f"{source} dropped {orphans} without `make lock`"


def test_every_locked_package_has_hashes_from_pypi_only():
    for filename in ("requirements.lock", "requirements-dev.lock"):
        text = (ROOT / filename).read_text()
        assert "--index-url" not in text and "--find-links" not in text, filename
        assert "file:" not in text and "://" not in text, filename
        for name, entry in lock(filename).items():
            assert entry["hashes"], f"{filename}: {name} has no hash"
            assert all(re.fullmatch(r"sha256:[0-9a-f]{64}", h) for h in entry["hashes"]), name


def test_the_image_ships_exactly_the_versions_the_tests_ran():
    """The runtime lock is the development lock restricted to the runtime packages."""
    for name, entry in RUNTIME_LOCK.items():
        assert name in DEV_LOCK, f"{name} is in the image but never tested"
        assert DEV_LOCK[name]["version"] == entry["version"], name
        assert set(DEV_LOCK[name]["hashes"]) == set(entry["hashes"]), name
    assert "moto" not in RUNTIME_LOCK and "pytest" not in RUNTIME_LOCK


def test_ci_and_the_image_install_from_the_locks_with_hashes():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(
        r"pip install [^\n]*--require-hashes [^\n]*-r requirements-dev\.lock", makefile
    )
    assert re.search(r"^\$\(STAMP\): [^\n]*requirements-dev\.lock", makefile, re.M)
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY requirements.lock" in dockerfile
    assert re.search(r"pip install [^\n]*--require-hashes [^\n]*-r requirements\.lock", dockerfile)
    assert "requirements.txt" not in dockerfile


def test_the_image_copies_every_package_of_the_app():
    packages = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in ("tests", "bench")
    }
    copied = set(re.findall(r"^COPY (\w+) \./\1$", (ROOT / "Dockerfile").read_text(), re.M))
    assert packages <= copied, f"the image lacks {sorted(packages - copied)}"


def test_the_image_ships_bytecode():
    """Its file system is read-only at run time: without .pyc files every cold start would
    compile every module again."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    build, final = dockerfile.split("\nFROM ")[-2:]
    assert re.search(r"compileall [^\n]*--invalidation-mode unchecked-hash /opt/venv /app", build)
    assert re.search(r"compileall [^\n]*--invalidation-mode unchecked-hash /usr/local/lib/", final)
