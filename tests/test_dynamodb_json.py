"""Items survive the trip to DynamoDB JSON and back, as the repositories store them."""

from hypothesis import given
from hypothesis import strategies as st

from solace import dynamodb

scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.text(),
    st.binary(min_size=1),
    st.floats(min_value=-1e6, max_value=1e6).map(lambda x: round(x, 3)),  # vitals-sized
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(st.dictionaries(st.text(min_size=1, max_size=8), values, max_size=5))
def test_an_item_reads_back_as_it_was_written(item):
    assert dynamodb.deserialize(dynamodb.serialize(item)) == item


def test_numbers_read_back_as_int_or_float_and_binary_as_bytes():
    stored = dynamodb.serialize({"n": 3, "x": 36.6, "b": b"\x00key", "none": None})
    assert stored == {"n": {"N": "3"}, "x": {"N": "36.6"}, "b": {"B": b"\x00key"}}
    assert dynamodb.deserialize(stored) == {"n": 3, "x": 36.6, "b": b"\x00key"}
    assert dynamodb.deserialize({"d": {"N": "2.50"}}) == {"d": 2.5}
    assert isinstance(dynamodb.deserialize({"d": {"N": "2"}})["d"], int)
