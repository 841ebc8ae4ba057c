"""Configuration from the environment: the one strict parser every module uses.

No Django import: the archiver Lambda (audit.archive_repository), `make run` (solace.local) and
the metrics writer read their variables without settings. An unset or blank variable takes its
default; anything else must parse, or `SettingError` names the variable, the value and what it
should look like. A typo is never silently a default.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})
DEFAULT_REGION = "us-east-1"


class SettingError(ValueError):
    """An environment variable holds a value its setting cannot take."""

    def __init__(self, name: str, value: str, expected: str):
        super().__init__(f"{name}={value!r} is not valid: expected {expected}")
        self.name = name
        self.value = value


def _raw(name: str) -> str | None:
    """The variable's value, stripped; None when it is unset or blank (the default applies)."""
    value = os.environ.get(name, "").strip()
    return value or None


def env_str(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool = False) -> bool:
    """1/0, true/false, yes/no, on/off in any case; nothing else."""
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise SettingError(name, value, "one of 1/0, true/false, yes/no, on/off")


def _bounds(minimum, maximum) -> str:
    if minimum is not None and maximum is not None:
        return f" from {minimum} to {maximum}"
    if minimum is not None:
        return f" of at least {minimum}"
    return f" of at most {maximum}" if maximum is not None else ""


def env_int(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    value = _raw(name)
    if value is None:
        return default
    expected = "a whole number" + _bounds(minimum, maximum)
    try:
        number = int(value)
    except ValueError:
        raise SettingError(name, value, expected) from None
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise SettingError(name, value, expected)
    return number


def env_float(
    name: str, default: float, *, minimum: float | None = None, maximum: float | None = None
) -> float:
    value = _raw(name)
    if value is None:
        return default
    expected = "a number" + _bounds(minimum, maximum)
    try:
        number = float(value)
    except ValueError:
        raise SettingError(name, value, expected) from None
    if (
        not math.isfinite(number)
        or (minimum is not None and number < minimum)
        or (maximum is not None and number > maximum)
    ):
        raise SettingError(name, value, expected)
    return number


def env_list(name: str, default: Iterable[str] = ()) -> list[str]:
    """Comma separated; blanks between commas are ignored."""
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: Iterable[str]) -> str:
    """One of `choices`, compared without regard to case; returns the choice as spelled there."""
    value = _raw(name)
    if value is None:
        return default
    by_folded = {choice.casefold(): choice for choice in choices}
    try:
        return by_folded[value.casefold()]
    except KeyError:
        raise SettingError(name, value, "one of " + ", ".join(by_folded.values())) from None


def aws_region() -> str:
    """SOLACE_AWS_REGION, else the AWS_REGION that Lambda sets, else us-east-1."""
    return env_str("SOLACE_AWS_REGION") or env_str("AWS_REGION") or DEFAULT_REGION
