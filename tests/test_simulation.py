"""`simulate_shift` (a busy department through the real services, on a simulated clock) and
`queue_backfill` (the derived queue attributes and counters, rewritten for an index switch)."""

import pytest
from django.core.management import CommandError, call_command

from cockpit import selectors
from cockpit.management.commands.simulate_shift import embedded_store
from patients import repository as patients_repository
from solace import clock, dynamodb
from solace.tables import AUDIT_LOG, PATIENTS
from tests.cockpit_helpers import register
from tests.intake_helpers import stored


def test_the_simulator_refuses_a_store_that_is_not_the_embedded_one(hospital, settings):
    settings.SOLACE_DYNAMODB_ENDPOINT = None  # AWS itself
    with pytest.raises(CommandError, match="--allow-remote"):
        call_command("simulate_shift", "--hospital", hospital.slug, "--hours", "1")
    settings.SOLACE_DYNAMODB_ENDPOINT = "https://dynamodb.eu-west-1.amazonaws.com"
    assert not embedded_store()
    settings.SOLACE_DYNAMODB_ENDPOINT = "http://127.0.0.1:41234"
    assert embedded_store()


def test_a_simulated_hour_leaves_a_real_department_behind(hospital, capsys):
    started = clock.now_utc()
    call_command(
        "simulate_shift",
        "--hospital",
        hospital.slug,
        "--hours",
        "1",
        "--rate",
        "2",
        "--seed",
        "7",
        "--allow-remote",
    )
    out = capsys.readouterr().out
    assert "arrivals" in out and "in the department now" in out
    present = patients_repository.patients_in_department(hospital.hospital_id)
    state = selectors.queue_state(hospital.hospital_id)
    assert present and state.total == len(present)  # the counters add up
    assert {level: n for level, n in state.per_level.items() if n} == {
        level: sum(1 for p in present if p.level == level) for level in {p.level for p in present}
    }
    arrivals = [clock.parse_iso(p.created_at) for p in present]
    assert all((started - moment).total_seconds() < 3700 for moment in arrivals)
    assert len({p.created_at[:16] for p in present}) > 1  # spread over the hour, not "now"
    items, _ = dynamodb.query_all(
        TableName=dynamodb.table_name(AUDIT_LOG),
        KeyConditionExpression="hospital_id = :h",
        **dynamodb.Expression(h=hospital.hospital_id).params(),
    )
    staff_actors = {i["actor_id"] for i in items if i["actor_type"] == "staff"}
    assert staff_actors and all(a.startswith("simulator-") for a in staff_actors)
    registrations = [i for i in items if i["action"] == "intake.submitted"]
    # Patient entries keep no user agent (only a keyed hash of the address): the simulator's
    # registrations are known by their request ids.
    assert registrations and all(i["request_id"].startswith("simulator-") for i in registrations)
    assert any(p.confirmed_level for p in present) and any(p.vitals_sets for p in present)


def test_the_backfill_rewrites_what_an_older_release_left_and_sets_the_counters(hospital):
    patient = register(hospital)
    # As an item written before the queue-rank index: no rank, no row; counters never kept.
    dynamodb.call(
        "update_item",
        TableName=dynamodb.table_name(PATIENTS),
        Key=dynamodb.serialize({"patient_id": patient["patient_id"]}),
        UpdateExpression="REMOVE queue_rank, queue_row",
    )
    dynamodb.call(
        "delete_item",
        TableName=dynamodb.table_name("queue-state"),
        Key=dynamodb.serialize({"state_id": hospital.hospital_id}),
    )
    state = selectors.queue_state(hospital.hospital_id)
    assert state.total == 0
    assert (
        selectors.queue(
            hospital, state, queue_filter="all", staff_id="", cursor=None, etag="x"
        ).rows
        == ()
    )
    call_command("queue_backfill", hospital.slug)
    item = stored(patient["patient_id"])
    assert item["queue_rank"].startswith("0#")  # an urgent arrival's alert, pinned
    assert item["queue_row"]["check_in_code"] == patient["check_in_code"]
    assert item["version"] == patient["version"]  # nothing about the visit changed
    state = selectors.queue_state(hospital.hospital_id)
    assert state.total == 1 and state.per_level[patient["suggested_level"]] == 1
    snapshot = selectors.queue(
        hospital, state, queue_filter="all", staff_id="", cursor=None, etag="x"
    )
    assert [r.row.patient_id for r in snapshot.rows] == [patient["patient_id"]]
