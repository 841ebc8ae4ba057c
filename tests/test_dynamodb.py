"""The shared DynamoDB helpers: batch reads past 100 keys and through unprocessed keys, the one
expiry rule, named transaction actions, conditional puts that survive their own retry."""

import pytest

from solace import dynamodb
from solace.clock import now_epoch
from solace.dynamodb import ConditionFailed, Expression, TransactionCancelled
from solace.tables import LOGIN_THROTTLE, STAFF


def _put_counters(prefix, n):
    for i in range(n):
        dynamodb.put_item(
            LOGIN_THROTTLE,
            {"throttle_key": f"{prefix}{i}", "failures": i, "expires_at": now_epoch() + 60},
        )


def test_batch_get_reads_more_than_100_keys_in_chunks():
    _put_counters("chunk#", 230)
    keys = [{"throttle_key": f"chunk#{i}"} for i in range(230)] + [{"throttle_key": "absent"}]
    items = dynamodb.batch_get({LOGIN_THROTTLE: keys})[LOGIN_THROTTLE.name]
    assert sorted(i["failures"] for i in items) == list(range(230))


def test_batch_get_asks_again_for_unprocessed_keys(monkeypatch):
    _put_counters("unprocessed#", 3)
    real_call, calls = dynamodb.call, []

    def flaky(operation, **kwargs):
        response = real_call(operation, **kwargs)
        calls.append(operation)
        if len(calls) == 1:  # DynamoDB returns part of the keys as unprocessed (throttled)
            [table] = kwargs["RequestItems"]
            keys = kwargs["RequestItems"][table]["Keys"]
            response["UnprocessedKeys"] = {table: {"Keys": keys[1:]}}
            response["Responses"][table] = [
                i
                for i in response["Responses"][table]
                if i["throttle_key"] == keys[0]["throttle_key"]
            ]
        return response

    monkeypatch.setattr(dynamodb, "call", flaky)
    monkeypatch.setattr(dynamodb, "UNPROCESSED_PAUSE_SECONDS", 0)
    keys = [{"throttle_key": f"unprocessed#{i}"} for i in range(3)]
    items = dynamodb.batch_get({LOGIN_THROTTLE: keys})[LOGIN_THROTTLE.name]
    assert len(items) == 3 and calls == ["batch_get_item", "batch_get_item"]


def test_an_item_expiring_now_is_expired():
    now = now_epoch()
    assert dynamodb.expired({"expires_at": now}, now)
    assert dynamodb.expired({"expires_at": now - 1}, now)
    assert not dynamodb.expired({"expires_at": now + 1}, now)
    assert dynamodb.expired(None, now)


def test_a_retried_conditional_put_recognises_its_own_item_but_not_another():
    item = {"staff_id": "retry-probe", "email": "a@example.org", "name": "A"}
    new = "attribute_not_exists(staff_id)"
    dynamodb.put_item(STAFF, item, condition=new)
    dynamodb.put_item(STAFF, item, condition=new)  # the retry of a write that landed
    with pytest.raises(ConditionFailed):
        dynamodb.put_item(STAFF, {**item, "name": "B"}, condition=new)


def test_a_retried_transaction_recognises_its_own_commit_but_not_another():
    """A commit whose answer was lost is sent again by botocore; where the store ignores the
    request token, the retry finds its own items and must still be success, not a conflict."""
    new = "attribute_not_exists(staff_id)"

    def actions(name):
        return [
            (
                "item",
                dynamodb.put_action(STAFF, {"staff_id": "own-1", "name": name}, condition=new),
            ),
            ("claim", dynamodb.put_action(STAFF, {"staff_id": "own-1#claim"}, condition=new)),
        ]

    dynamodb.transact_write(actions("A"))
    dynamodb.transact_write(actions("A"))  # the retry of the commit that landed
    with pytest.raises(TransactionCancelled) as cancelled:
        dynamodb.transact_write(actions("B"))
    assert cancelled.value.failed("item") and cancelled.value.item("item")["name"] == "A"


def test_a_cancelled_transaction_answers_by_action_name():
    dynamodb.put_item(STAFF, {"staff_id": "taken", "email": "t@example.org"})
    new = "attribute_not_exists(staff_id)"
    with pytest.raises(TransactionCancelled) as cancelled:
        dynamodb.transact_write(
            [
                ("fresh", dynamodb.put_action(STAFF, {"staff_id": "fresh-1"}, condition=new)),
                (
                    "taken",
                    dynamodb.put_action(STAFF, {"staff_id": "taken"}, condition=new),
                ),
            ]
        )
    assert cancelled.value.failed("taken") and not cancelled.value.failed("fresh")
    assert cancelled.value.item("taken")["email"] == "t@example.org"
    assert dynamodb.get_item(STAFF, {"staff_id": "fresh-1"}) is None  # all or nothing


def test_expression_builds_placeholders_for_names_and_values():
    expression = Expression(now=5)
    update = expression.update({"name": "x", "roster": {}}, remove=["gone"], add={"n": 1})
    assert update == "SET #n0 = :v1, #n1 = :v2 REMOVE #n2 ADD #n3 :v3"
    params = expression.params()
    assert params["ExpressionAttributeNames"] == {
        "#n0": "name",
        "#n1": "roster",
        "#n2": "gone",
        "#n3": "n",
    }
    assert set(params["ExpressionAttributeValues"]) == {":now", ":v1", ":v2", ":v3"}
