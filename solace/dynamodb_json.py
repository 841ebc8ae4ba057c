"""DynamoDB JSON to Python values and back: boto3's TypeSerializer and TypeDeserializer.

They are loaded with the first item converted, not at import: importing boto3 brings its
session and resource modules, which a cold start need not pay for before the first request that
reads or writes DynamoDB (which loads botocore's client machinery anyway).
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def _converters():
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    return TypeSerializer(), TypeDeserializer()


def serialize_value(value: Any) -> dict[str, Any]:
    return _converters()[0].serialize(value)


def deserialize_value(attribute: dict[str, Any]) -> Any:
    """As boto3 reads it, except binary values, which come back as plain bytes."""
    value = _converters()[1].deserialize(attribute)
    return value.value if "B" in attribute else value


__all__ = ["deserialize_value", "serialize_value"]
