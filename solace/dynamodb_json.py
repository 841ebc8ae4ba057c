"""DynamoDB JSON to Python values and back, converting exactly as boto3's TypeSerializer and
TypeDeserializer (boto3.dynamodb.types) do, without importing boto3: its session, resource and
S3 transfer modules cost every cold start tens of milliseconds, and the app calls botocore only.
`tests/test_dynamodb_json.py` checks that both agree on every kind of value.

Python                          DynamoDB
None                            {"NULL": True}
bool                            {"BOOL": ...}
int, Decimal                    {"N": "..."} (read back as Decimal)
str                             {"S": ...}
bytes, bytearray                {"B": ...} (read back as bytes; boto3 wraps them in Binary)
set of numbers/str/bytes        {"NS"/"SS"/"BS": [...]}
Mapping                         {"M": {...}}
list, tuple                     {"L": [...]}
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from decimal import Clamped, Context, Decimal, Inexact, Overflow, Rounded, Underflow
from typing import Any

# DynamoDB's numbers: 38 significant digits; rounding or overflow is an error, never silent.
DYNAMODB_CONTEXT = Context(
    Emin=-128, Emax=126, prec=38, traps=[Clamped, Overflow, Inexact, Rounded, Underflow]
)
_BINARY = (bytes, bytearray)


def _is_number(value: Any) -> bool:
    if isinstance(value, float):
        raise TypeError("Float types are not supported. Use Decimal types instead.")
    return isinstance(value, int | Decimal)


def _is_string(value: Any) -> bool:
    return isinstance(value, str)


def _is_binary(value: Any) -> bool:
    return isinstance(value, _BINARY)


def _number(value: int | Decimal) -> str:
    number = str(DYNAMODB_CONTEXT.create_decimal(value))
    if number in ("Infinity", "NaN"):
        raise TypeError("Infinity and NaN not supported")
    return number


def serialize_value(value: Any) -> dict[str, Any]:
    """One Python value as a DynamoDB attribute value."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if _is_number(value):
        return {"N": _number(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, _BINARY):
        return {"B": value}
    if isinstance(value, Set):
        if all(map(_is_number, value)):
            return {"NS": [_number(v) for v in value]}
        if all(map(_is_string, value)):
            return {"SS": list(value)}
        if all(map(_is_binary, value)):
            return {"BS": list(value)}
    if isinstance(value, Mapping):
        return {"M": {k: serialize_value(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [serialize_value(v) for v in value]}
    raise TypeError(f'Unsupported type "{type(value)}" for value "{value}"')


def deserialize_value(value: Mapping[str, Any]) -> Any:
    """One DynamoDB attribute value as a Python value."""
    if not value:
        raise TypeError("Value must be a nonempty dictionary whose key is a valid dynamodb type.")
    kind = next(iter(value))
    data = value[kind]
    if kind == "S":
        return data
    if kind == "N":
        return DYNAMODB_CONTEXT.create_decimal(data)
    if kind == "M":
        return {k: deserialize_value(v) for k, v in data.items()}
    if kind == "L":
        return [deserialize_value(v) for v in data]
    if kind == "BOOL":
        return data
    if kind == "NULL":
        return None
    if kind == "SS":
        return set(data)
    if kind == "NS":
        return set(map(DYNAMODB_CONTEXT.create_decimal, data))
    if kind == "B":
        return bytes(data)
    if kind == "BS":
        return {bytes(b) for b in data}
    raise TypeError(f"Dynamodb type {kind} is not supported")
