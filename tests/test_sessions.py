"""The DynamoDB session engine: create, read, rotate, expiry on read, idle and absolute limits."""

import pytest
from django.test import override_settings

from accounts.session_backend import SessionStore
from solace import dynamodb
from solace.clock import now_epoch
from solace.tables import SESSIONS


def raw_item(session_key):
    response = dynamodb.call(
        "get_item",
        TableName=dynamodb.table_name(SESSIONS),
        Key=dynamodb.serialize({"session_key": session_key}),
    )
    return dynamodb.deserialize(response.get("Item"))


def test_a_saved_session_is_an_item_with_its_ttl_and_reads_back(clock):
    store = SessionStore()
    store["answer"] = 42
    store.save()
    item = raw_item(store.session_key)
    assert item["expires_at"] == pytest.approx(now_epoch() + 15 * 60, abs=2)
    assert SessionStore(store.session_key)["answer"] == 42


def test_an_expired_item_still_in_the_table_reads_as_no_session(clock):
    store = SessionStore()
    store["answer"] = 42
    store.save()
    clock.advance(15 * 60 + 1)
    assert raw_item(store.session_key) is not None  # TTL has not deleted it yet
    again = SessionStore(store.session_key)
    assert again.get("answer") is None
    assert again.session_key is None
    assert not SessionStore().exists(store.session_key)


def test_saving_moves_the_idle_deadline_but_never_past_the_absolute_lifetime(clock):
    with override_settings(SOLACE_SESSION_IDLE_SECONDS=600, SOLACE_SESSION_ABSOLUTE_SECONDS=1000):
        store = SessionStore()
        store["n"] = 1
        store.save()
        created = now_epoch()
        clock.advance(500)
        store = SessionStore(store.session_key)
        store["n"] = 2
        store.save()
        assert raw_item(store.session_key)["expires_at"] == pytest.approx(created + 1000, abs=2)
        clock.advance(501)
        assert SessionStore(store.session_key).get("n") is None


def test_touch_extends_idle_deadline_at_most_once_a_minute(clock):
    store = SessionStore()
    store["n"] = 1
    store.save()
    first = raw_item(store.session_key)["expires_at"]
    clock.advance(30)
    store = SessionStore(store.session_key)
    store.load()
    store.touch()
    assert raw_item(store.session_key)["expires_at"] == first  # too soon: no write
    clock.advance(60)
    store = SessionStore(store.session_key)
    store.load()
    store.touch()
    assert raw_item(store.session_key)["expires_at"] == pytest.approx(first + 90, abs=2)


def test_cycle_key_moves_the_data_to_a_new_key_and_deletes_the_old():
    store = SessionStore()
    store["n"] = 1
    store.save()
    old = store.session_key
    store.cycle_key()
    assert store.session_key != old
    assert raw_item(old) is None
    assert SessionStore(store.session_key)["n"] == 1


def test_delete_removes_the_item():
    store = SessionStore()
    store["n"] = 1
    store.save()
    store.delete()
    assert raw_item(store.session_key) is None


def test_a_save_never_brings_back_a_deleted_session():
    from django.contrib.sessions.backends.base import UpdateError

    store = SessionStore()
    store["n"] = 1
    store.save()
    in_flight = SessionStore(store.session_key)
    assert in_flight["n"] == 1  # the other request has read its session
    store.delete()  # signed out (or deactivated) while another request was running
    in_flight["n"] = 2
    with pytest.raises(UpdateError):
        in_flight.save()
    assert raw_item(store.session_key) is None
