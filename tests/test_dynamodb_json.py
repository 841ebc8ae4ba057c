"""solace.dynamodb_json converts exactly as boto3's TypeSerializer / TypeDeserializer do."""

from decimal import Decimal

import pytest
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from hypothesis import given
from hypothesis import strategies as st

from solace.dynamodb_json import deserialize_value, serialize_value

numbers = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40),  # beyond 38 digits too: both refuse
    st.decimals(allow_nan=True, allow_infinity=True, places=None),
)
scalars = st.one_of(
    st.none(), st.booleans(), numbers, st.text(), st.binary(), st.floats(allow_nan=False)
)
sets = st.one_of(
    st.frozensets(st.integers(min_value=-(10**20), max_value=10**20), max_size=5),
    st.frozensets(st.text(max_size=5), max_size=5),
    st.frozensets(st.binary(max_size=5), max_size=5),
    st.sets(st.one_of(st.integers(), st.text(max_size=3)), max_size=4),  # mixed: refused
)
values = st.recursive(
    st.one_of(scalars, sets),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(st.text(max_size=8), inner, max_size=4),
    ),
    max_leaves=12,
)


def outcome(function, value):
    try:
        return "ok", function(value)
    except Exception as exc:  # the same kind of refusal on both sides
        return "error", type(exc)


@given(values)
def test_serialize_agrees_with_boto3(value):
    assert outcome(serialize_value, value) == outcome(TypeSerializer().serialize, value)


@given(values)
def test_deserialize_agrees_with_boto3(value):
    try:
        attribute = TypeSerializer().serialize(value)
    except (TypeError, ArithmeticError):
        return
    if "NaN" in repr(attribute):  # boto3 lets "-NaN" through; NaN equals nothing to compare
        return
    ours = deserialize_value(attribute)
    assert ours == TypeDeserializer().deserialize(attribute)
    assert deserialize_value(serialize_value(ours)) == ours


@pytest.mark.parametrize(
    "attribute",
    [
        {"B": b"\x00\xff"},
        {"BS": [b"a", b"b"]},
        {"NS": ["1", "2.5", "-0"]},
        {"N": "1E+125"},
        {"M": {"a": {"L": [{"NULL": True}, {"BOOL": False}, {"SS": ["x"]}]}}},
    ],
)
def test_attribute_kinds(attribute):
    ours = deserialize_value(attribute)
    assert ours == TypeDeserializer().deserialize(attribute)
    if "B" in attribute:
        assert ours == Binary(b"\x00\xff") and isinstance(ours, bytes)


def test_refusals():
    for bad in ({}, {"X": "1"}):
        with pytest.raises(TypeError):
            deserialize_value(bad)
    with pytest.raises(TypeError):
        serialize_value(1.5)
    with pytest.raises(ArithmeticError):
        serialize_value(Decimal("1." + "1" * 40))
