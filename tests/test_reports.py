"""ED operations reports: each measure against a hand-computed shift (tests/reports_shift.py),
the rollup's idempotency under replayed and reordered stream records, incremental against
rebuilt rollups, the one-Query read, access, audit and the CSV exports."""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, date, datetime

import pytest
from django.core.management import CommandError, call_command

from audit import repository as audit_repository
from patients import repository as patients_repository
from patients.domain import EncounterEvent, EventType, Status
from reports import lambda_handler, repository, selectors, services
from reports.domain import (
    Day,
    VisitRow,
    Visits,
    derive_visit,
    ecat_components,
    p90,
    row_from_text,
    row_to_text,
)
from reports.views import csv_safe
from solace import dynamodb
from solace.dynamodb import Expression
from solace.tables import ENCOUNTERS, METRICS
from tests.reports_shift import NEXT_DAY, SHIFT_DAY, ZONE, frozen, local, play_shift, shift_end

M = 60  # seconds in a minute


@pytest.fixture(scope="module")
def shift():
    played = play_shift()
    services.rollup_rebuild(played.hospital, SHIFT_DAY, NEXT_DAY)
    return played


def encounter_items(shift) -> list[dict]:
    items = []
    for patient_id in shift.patients.values():
        found, _ = dynamodb.query_all(
            TableName=dynamodb.table_name(ENCOUNTERS),
            KeyConditionExpression="patient_id = :p",
            **Expression(p=patient_id).params(),
        )
        items += found
    return items


def stream_records(items: list[dict]) -> list[dict]:
    return [
        {
            "eventName": "INSERT",
            "dynamodb": {
                "Keys": dynamodb.serialize(
                    {"patient_id": i["patient_id"], "event_id": i["event_id"]}
                ),
                "NewImage": dynamodb.serialize(i),
                "SequenceNumber": str(10**20 + n),
            },
        }
        for n, i in enumerate(sorted(items, key=lambda i: i["event_id"]))
    ]


def stored_days(shift) -> dict[str, dict]:
    """The visits of each stored day, as the dashboard reads them (not the update times)."""
    items = repository.day_items_between(
        shift.hospital.hospital_id, SHIFT_DAY, NEXT_DAY, consistent=True
    )
    return {i["sk"]: i["rows"] for i in items}


def wipe_rollups(shift, *, facts: bool = True) -> None:
    hid = shift.hospital.hospital_id
    keys = [{"pk": f"R#{hid}", "sk": f"D#{d}"} for d in (SHIFT_DAY, NEXT_DAY)]
    if facts:
        keys += [{"pk": f"P#{pid}", "sk": "facts"} for pid in shift.patients.values()]
    for key in keys:
        dynamodb.delete_item(METRICS, key)


def shift_report(shift, start=SHIFT_DAY, end=SHIFT_DAY, now=None):
    with frozen(now or shift_end()):
        return selectors.report(shift.hospital, start, end, "day")


def row(report, table: str, label: str) -> tuple:
    [found] = [r for r in report.tables[table].rows if r[0] == label]
    return found


# --- One visit at a time ------------------------------------------------------------------------
def test_each_visit_row_holds_its_hand_computed_durations(shift):
    def visit(letter):
        events = patients_repository.events_of_patient(shift.patients[letter])
        return derive_visit(shift.patients[letter], events, ZONE)

    # letter: (level, disposition, triage, room, provider, provider-to-decision, boarding, los)
    expected = {
        "A": (3, Status.DISCHARGED, 10, 20, 40, 80, None, 120),
        "B": (1, Status.ADMITTED, 3, 10, 15, 70, 270, 355),
        "C": (3, Status.LEFT_WITHOUT_BEING_SEEN, 20, None, None, None, None, 90),
        "D": (5, Status.LEFT_WITHOUT_BEING_SEEN, 10, None, None, None, None, 25),
        "E": (3, Status.LEFT_AGAINST_ADVICE, 10, 25, 40, 120, None, 160),
        "F": (1, Status.DIED, 1, 2, 3, 57, None, 60),
        "G": (2, Status.TRANSFERRED, 10, 20, 30, 230, None, 260),
        "H": (3, Status.DISCHARGED, 20, 90, 100, 410, None, 510),
        "J": (4, Status.ADMITTED, 10, 20, 30, 70, 60, 160),  # its discharge was undone
        "K": (5, None, 5, None, None, None, None, None),
        "L": (4, Status.DISCHARGED, 5, None, 20, 55, None, 75),
        "M": (4, Status.DISCHARGED, 10, None, 20, 70, None, 90),
        "N": (5, Status.DISCHARGED, 10, None, None, None, None, 60),
    }
    for letter, (level, disposition, *minutes) in expected.items():
        r = visit(letter).row
        measured = (
            r.to_triage,
            r.to_room,
            r.to_provider,
            r.provider_to_decision,
            r.boarding,
            r.los,
        )
        assert (r.level, r.disposition) == (level, disposition), letter
        assert [None if s is None else s / M for s in measured] == minutes, letter
    # Bucketed by local arrival date: M arrived 23:30 on the 2nd (04:30 UTC on the 3rd).
    assert visit("M").day == SHIFT_DAY and visit("M").arrived_at.date() == NEXT_DAY
    assert visit("N").day == NEXT_DAY
    assert visit("I").row is None and visit("I").closed == Status.CLOSED_DUPLICATE
    assert visit("O").row is None and visit("O").closed == Status.NOT_A_PATIENT
    # Age band and language come from the events (no birth date, no race or ethnicity).
    assert (visit("B").row.age_band, visit("B").row.language) == ("65_79", "es")
    assert visit("M").row.age_band == "5_17"


def test_the_engine_suggested_what_the_shift_expects(shift):
    # The agreement expectations below rest on these suggestions.
    assert {k: shift.suggested[k] for k in "ABCDEFGHJKLMN"} == {
        "A": 3, "B": 2, "C": 3, "D": 4, "E": 3, "F": 2, "G": 3, "H": 3, "J": 4, "K": 5,
        "L": 5, "M": 4, "N": 5,
    }  # fmt: skip


# --- The day's measures -------------------------------------------------------------------------
def test_throughput_measures_of_the_day(shift):
    report = shift_report(shift)
    visits = report.visits
    assert visits.count == 12  # A-H, J-M: the duplicate (I) and "not a patient" (O) excluded
    assert visits.closed == {"closed_duplicate": 1, "not_a_patient": 1}
    # door to triage: 1 3 5 5 10 10 10 10 10 10 20 20 -> median 10, p90 = 11th of 12 = 20
    assert visits.stat("to_triage") == (12, 10, 20)
    # door to provider: 3 15 20 20 30 30 40 40 100 -> median 30, p90 = 9th of 9 = 100
    assert visits.stat("to_provider") == (9, 30, 100)
    # provider to decision: 55 57 70 70 70 80 120 230 410
    assert visits.stat("provider_to_decision") == (9, 70, 410)
    # boarding: B 270, J 60 (J's undone discharge does not count)
    assert visits.boarding() == (2, 165, 270)
    # length of stay, departed: 25 60 75 90 90 120 160 160 260 355 510 -> 120, 10th = 355
    assert visits.stat("los", visits.departed) == (11, 120, 355)
    # OP-18, discharged home only: A 120, H 510, L 75, M 90 -> median 105, p90 510
    assert visits.op18() == (4, 105, 510)
    op18 = report.tables["op18"]
    assert row(report, "op18", "Discharged home (OP-18)")[1:] == (4, 105, 510)
    assert row(report, "op18", "Transferred (reported apart, as OP-18d)")[1:] == (1, 260, 260)
    assert row(report, "op18", "Excluded: died in the department")[1] == 1
    assert row(report, "op18", "Excluded: left against advice")[1] == 1
    assert row(report, "op18", "Excluded: left without being seen")[1] == 2
    assert op18.rows[-1][1] == 0  # K is still within a day of arriving


def test_los_by_disposition_and_tiles(shift):
    report = shift_report(shift)
    assert row(report, "by_disposition", "Discharged")[1:5] == (4, 400 / 11, 105, 510)
    assert row(report, "by_disposition", "Admitted")[1:5] == (2, 200 / 11, 257.5, 355)
    assert row(report, "by_disposition", "Died in the department")[1:5] == (1, 100 / 11, 60, 60)
    tiles = {t.definition.key: t for t in report.tiles}
    assert tiles["door_to_provider"].value == 30 and tiles["door_to_provider"].met is True
    assert tiles["door_to_triage"].value == 10 and tiles["door_to_triage"].met is True
    assert tiles["op18"].value == 105 and tiles["boarding"].value == 165
    assert tiles["boarding"].met is False  # target 120 min
    assert tiles["lwbs"].value == pytest.approx(100 * 2 / 12) and tiles["lwbs"].met is False
    assert tiles["ecat"].value == pytest.approx(100 * 6 / 11)
    # The day before had no visits: no change to show.
    assert all(t.trend == "none" for t in report.tiles)


def test_left_without_being_seen_and_against_advice_are_kept_apart(shift):
    report = shift_report(shift)
    lwbs = row(report, "left", "Left without being seen (before a provider)")
    lama = row(report, "left", "Left against advice (after a provider)")
    assert lwbs[1:3] == (2, pytest.approx(100 * 2 / 12))
    assert lwbs[3:] == (0, 0, 1, 0, 1)  # C at level 3, D at level 5
    assert lama[1:3] == (1, pytest.approx(100 / 12)) and lama[3:] == (0, 0, 1, 0, 0)
    assert report.callbacks == 1  # C only: D left at level 5


def test_ecat_share_and_each_component(shift):
    report = shift_report(shift)
    flagged, departed, per = report.visits.ecat()
    # B boarded 270 min; C waited 90 min unroomed and left; D left; H roomed at 90 min and
    # stayed 510; L and M were never roomed and stayed 75 and 90 min.
    assert (flagged, departed) == (6, 11)
    assert per == {"room": 4, "lwbe": 2, "boarding": 1, "los": 1}
    ecat = report.tables["ecat"]
    assert ecat.rows[0][1:] == (6, pytest.approx(100 * 6 / 11))
    assert row(report, "ecat", "Stratum: under 18 (1 departed)")[1:] == (1, 100)  # M


def test_ecat_thresholds_are_strictly_over():
    at_limits = VisitRow(hour=0, level=3, disposition=Status.ADMITTED, to_room=3600,
                         boarding=240 * 60, los=480 * 60)  # fmt: skip
    assert not any(ecat_components(at_limits).values())
    over = VisitRow(hour=0, level=3, disposition=Status.ADMITTED, to_room=3601,
                    boarding=240 * 60 + 1, los=480 * 60 + 1)  # fmt: skip
    assert ecat_components(over) == {"room": True, "lwbe": False, "boarding": True, "los": True}


def test_acuity_mix_and_long_waits_against_the_hospitals_targets(shift):
    report = shift_report(shift)
    # levels: 1 B F, 2 G, 3 A C E H, 4 J L M, 5 D K; targets 0, 10, 30, 60, 120 min
    by_level = {r[0]: r for r in report.tables["by_level"].rows}
    assert [by_level[f"ESI {lvl}"][1] for lvl in range(1, 6)] == [2, 1, 4, 3, 2]
    assert by_level["ESI 3"][2] == pytest.approx(100 * 4 / 12)
    long_waits = [by_level[f"ESI {lvl}"][9] for lvl in range(1, 6)]
    assert long_waits == [2, 1, 4, 0, 0]  # C waited 90 min without a provider: long
    assert by_level["ESI 3"][4:6] == (40, 100)  # door to provider of A E H: 40 40 100
    assert by_level["ESI 5"][10] == 0  # D left after 25 min; K still waits: not counted


def test_arrivals_by_hour_and_weekday(shift):
    report = shift_report(shift)
    monday = report.heatmap[SHIFT_DAY.weekday()]
    assert SHIFT_DAY.weekday() == 0
    assert (monday[8], monday[9], monday[10], monday[23]) == (7, 3, 1, 1)
    assert sum(monday) == 12 and sum(map(sum, report.heatmap)) == 12
    eight = row(report, "by_hour", "08:00–08:59")
    assert eight[1:4] == (7, 7, 30)  # A 40 B 15 E 40 F 3 G 30 -> median 30


def test_triage_agreement_by_level_age_and_language(shift):
    report = shift_report(shift)
    # first confirmations: agree A C E H J K M; nurse more urgent B F G L; less urgent D
    overall = report.tables["agreement_overall"].rows[0]
    assert overall[1:] == (12, 7, pytest.approx(700 / 12), 4, pytest.approx(400 / 12), 1,
                           pytest.approx(100 / 12))  # fmt: skip

    def counts(table):  # label -> (confirmations, same, nurse more urgent, nurse less urgent)
        return {r[0]: (r[1], r[2], r[4], r[6]) for r in report.tables[table].rows}

    by_level = counts("agreement_by_level")
    assert by_level["Nurse level 1"] == (2, 0, 2, 0)  # B, F
    assert by_level["Nurse level 2"] == (1, 0, 1, 0)  # G
    assert by_level["Nurse level 3"] == (4, 4, 0, 0)  # A C E H
    assert by_level["Nurse level 4"] == (3, 2, 1, 0)  # J M agree, L more urgent
    assert by_level["Nurse level 5"] == (2, 1, 0, 1)  # K agrees, D less urgent
    share = {r[0]: r[3] for r in report.tables["agreement_by_level"].rows}
    assert share["Nurse level 5"] == 50
    by_age = counts("agreement_by_age")
    assert by_age["18–64 years"] == (9, 6, 2, 1)
    assert by_age["65–79 years"] == (1, 0, 1, 0)
    assert by_age["80 years and over"] == (1, 0, 1, 0)
    assert by_age["5–17 years"] == (1, 1, 0, 0)
    by_language = counts("agreement_by_language")
    assert by_language == {"English": (10, 7, 2, 1), "Spanish": (2, 0, 2, 0)}
    reasons = {(r[0], r[1]): r[2] for r in report.tables["override_reasons"].rows}
    assert reasons == {
        ("2 → 1", "Grey and sweaty"): 1,
        ("2 → 1", "Unresponsive on arrival"): 1,
        ("3 → 2", "Severe pain, pale"): 1,
        ("5 → 4", "Drooling, cannot swallow"): 1,
        ("4 → 5", "Walking normally, no deformity"): 1,
    }


def test_visits_are_bucketed_by_local_arrival_date(shift):
    both = shift_report(shift, SHIFT_DAY, NEXT_DAY)
    assert both.visits.count == 13
    assert [(p.label, p.visits.count) for p in both.periods] == [
        ("Mon 02 Mar", 12),
        ("Tue 03 Mar", 1),
    ]
    assert shift_report(shift, NEXT_DAY, NEXT_DAY).visits.count == 1


def test_a_visit_with_no_departure_a_day_later_is_an_undocumented_departure(shift):
    later = datetime(2026, 3, 4, 12, tzinfo=UTC)
    report = shift_report(shift, now=later)
    assert report.tables["op18"].rows[-1][1] == 1  # K
    assert shift_report(shift).tables["op18"].rows[-1][1] == 0


def test_the_previous_period_gives_each_tile_its_change(shift):
    report = shift_report(shift, NEXT_DAY, NEXT_DAY)
    tiles = {t.definition.key: t for t in report.tiles}
    assert tiles["door_to_triage"].previous == 10 and tiles["door_to_triage"].value == 10
    assert tiles["door_to_triage"].trend == "same"
    assert tiles["lwbs"].value == 0 and tiles["lwbs"].trend == "better"


# --- Undo, closures -----------------------------------------------------------------------------
def event(n: int, type_: EventType, minute: int, **data) -> EncounterEvent:
    time = f"2026-03-02T13:{minute:02d}:00.000000Z"
    return EncounterEvent("p", f"{time}#0{n:08d}", type_, time, "s", "nurse", data)


def test_an_undo_without_the_event_id_undoes_the_latest_ending():
    timeline = [
        event(1, EventType.ARRIVED, 0),
        event(2, EventType.TRIAGE_SUGGESTED, 0, level=3),
        event(3, EventType.DISPOSITION, 10, **{"from": "waiting", "to": "discharged"}),
        event(4, EventType.REOPENED, 11, **{"from": "discharged", "to": "waiting"}),
    ]
    visit = derive_visit("p", timeline, ZONE)
    assert visit.row.disposition is None and visit.row.los is None
    closed = [
        *timeline[:2],
        event(3, EventType.STATUS_CHANGED, 5, **{"from": "waiting", "to": "not_a_patient"}),
        event(4, EventType.REOPENED, 6, **{"from": "not_a_patient", "to": "waiting"}),
        event(5, EventType.DISPOSITION, 30, **{"from": "waiting", "to": "left_without_being_seen"}),
    ]
    visit = derive_visit("p", list(reversed(closed)), ZONE)  # any order in
    assert visit.closed is None and visit.row.disposition == Status.LEFT_WITHOUT_BEING_SEEN
    assert visit.row.los == 30 * M and visit.row.patient_id == "p"  # level 3: to call back


def test_p90_is_the_nearest_rank():
    assert p90([5]) == 5
    assert p90(list(range(1, 11))) == 9
    assert p90(list(range(1, 12))) == 10
    assert p90([]) is None


def test_rows_round_trip_through_their_stored_form(shift):
    for patient_id in shift.patients.values():
        visit = derive_visit(patient_id, patients_repository.events_of_patient(patient_id), ZONE)
        if visit.row:
            assert row_from_text(row_to_text(visit.row)) == visit.row
    odd = VisitRow(hour=0, level=None, nurse_level=2, suggested=3, agreement_age_band="80_plus",
                   override_reason="Sepsis? | BP 80/40 — très malade")  # fmt: skip
    assert row_from_text(row_to_text(odd)) == odd
    assert Visits.of([Day(SHIFT_DAY, ())]).count == 0


# --- The rollup: stream, idempotency, rebuild ---------------------------------------------------
def test_replayed_reordered_and_rebatched_records_give_the_rebuilt_rollup(shift):
    rebuilt = stored_days(shift)
    assert set(rebuilt) == {f"D#{SHIFT_DAY}", f"D#{NEXT_DAY}"}
    records = stream_records(encounter_items(shift))
    assert len(records) > 60
    shuffled = random.Random(16)
    for attempt in range(3):
        wipe_rollups(shift)
        assert stored_days(shift) == {}
        replayed = records + records[: len(records) // 2]  # a retried half batch
        shuffled.shuffle(replayed)
        size = (7, 50, 1000)[attempt]
        for start in range(0, len(replayed), size):
            services.rollup_apply(replayed[start : start + size])
        assert stored_days(shift) == rebuilt, f"attempt {attempt}"
    # Applying everything once more changes nothing.
    services.rollup_apply(records)
    assert stored_days(shift) == rebuilt


def test_an_older_picture_never_overwrites_a_newer_one(shift):
    hid = shift.hospital.hospital_id
    patient_id = shift.patients["J"]
    events = patients_repository.events_of_patient(patient_id)
    full = derive_visit(patient_id, events, ZONE)
    # J as a late record of its (undone) discharge would show it: fewer events, older.
    stale = derive_visit(patient_id, [e for e in events if e.time < "2026-03-02T15:30:30"], ZONE)
    assert stale.row.disposition == Status.DISCHARGED and stale.events < full.events
    assert repository.visit_put(hid, stale) is False
    stored = repository.day_items_between(hid, SHIFT_DAY, SHIFT_DAY, consistent=True)[0]
    assert row_from_text(stored["rows"][patient_id]) == full.row
    assert stored["n"][patient_id] == full.events
    assert repository.visit_put(hid, full) is True  # the same picture again: fine


def test_records_of_events_that_change_no_measure_are_skipped_and_unknown_hospitals_ignored():
    worse = {
        "patient_id": "p1",
        "event_id": "2026-03-02T10:00:00Z#0",
        "type": EventType.WORSE_REPORTED.value,
        "time": "2026-03-02T10:00:00Z",
        "actor_id": "intake:abc",
        "hospital_id": "h1",
    }
    orphan = {**worse, "patient_id": "nobody", "type": EventType.ARRIVED.value}
    del orphan["hospital_id"]
    result = services.rollup_apply(stream_records([worse, orphan]))
    assert (result.records, result.ignored, result.visits) == (2, 2, 0)


def test_the_lambda_reports_a_failed_batch_from_its_first_record(shift, monkeypatch):
    records = stream_records(encounter_items(shift))[:5]
    assert lambda_handler.handler({"Records": records}, None) == {"batchItemFailures": []}
    assert lambda_handler.handler({"Records": []}, None) == {"batchItemFailures": []}

    def broken(_records):
        raise dynamodb.DataStoreError("ProvisionedThroughputExceededException")

    monkeypatch.setattr(lambda_handler, "rollup_apply", broken)
    first = records[0]["dynamodb"]["SequenceNumber"]
    assert lambda_handler.handler({"Records": records}, None) == {
        "batchItemFailures": [{"itemIdentifier": first}]
    }


def test_the_local_drain_reads_the_stream_and_remembers_where_it_stopped(shift, capsys):
    call_command("rollup_drain")
    first = capsys.readouterr().out
    assert "stream records" in first
    wipe_rollups(shift, facts=False)
    call_command("rollup_drain")  # nothing new since the checkpoint: nothing rebuilt
    assert capsys.readouterr().out.startswith("0 stream records")
    assert stored_days(shift) == {}
    # A new event of one of the shift's patients brings its day back.
    with frozen(local("02:00", NEXT_DAY)):
        p = patients_repository.patient_get(shift.patients["K"], consistent=True)
        from cockpit import services as cockpit
        from tests.reports_shift import CONTEXT

        cockpit.patient_assign_room(shift.nurse, p, p.version, "R9", CONTEXT)
    call_command("rollup_drain")
    assert "1 visits refreshed" in capsys.readouterr().out
    days = stored_days(shift)
    assert list(days) == [f"D#{SHIFT_DAY}"]
    assert list(days[f"D#{SHIFT_DAY}"]) == [shift.patients["K"]]  # only K's day came back
    k = row_from_text(days[f"D#{SHIFT_DAY}"][shift.patients["K"]])
    assert k.to_room == (16 * 60) * M  # 10:00 -> 02:00 the next day
    services.rollup_rebuild(shift.hospital, SHIFT_DAY, NEXT_DAY)


def test_rebuild_command_checks_its_arguments(shift, capsys):
    slug = shift.hospital.slug
    call_command("rollup_rebuild", hospital=slug, start="2026-03-02", end="2026-03-03")
    assert "15 registrations rebuilt, 2 days with visits" in capsys.readouterr().out
    for kwargs, message in [
        ({"hospital": slug, "start": "2026-03-03", "end": "2026-03-02"}, "after"),
        ({"hospital": slug, "start": "March 2", "end": "2026-03-02"}, "YYYY-MM-DD"),
        ({"hospital": "no-such-hospital", "start": "2026-03-02", "end": "2026-03-02"}, "slug"),
        ({"hospital": slug, "start": "2025-01-01", "end": "2026-03-02"}, "at most"),
    ]:
        with pytest.raises(CommandError, match=message):
            call_command("rollup_rebuild", **kwargs)


def test_the_dashboard_reads_a_range_with_one_query(shift):
    token = dynamodb.start_counting()
    try:
        shift_report(shift, date(2026, 2, 1), date(2026, 3, 3))
        calls = dynamodb.counted_calls()
    finally:
        dynamodb.stop_counting(token)
    assert calls == ["Query"]


# --- The page: access, audit, exports -----------------------------------------------------------
QUERY = {"date_from": "2026-03-02", "date_to": "2026-03-02", "group": "day"}


def page(client, shift, path="/reports/", **extra):
    return client.get(path, {"hospital": shift.hospital.hospital_id, **QUERY, **extra})


def audit_entries(shift, action):
    entries, _ = audit_repository.query_page(
        index="by-action",
        key_name="hospital_action",
        key_value=f"{shift.hospital.hospital_id}#{action}",
        entry_from="2000",
        entry_to="9999",
        filters={},
        limit=50,
        start_key=None,
    )
    return entries


def test_anonymous_and_plain_nurses_get_no_reports(client, shift, sign_in):
    assert page(client, shift).status_code == 302
    sign_in(shift.nurse)
    assert page(client, shift).status_code == 403
    assert page(client, shift, "/reports/export/by_level.csv").status_code == 403
    assert page(client, shift, "/reports/callbacks/").status_code == 403
    assert b"/reports/" not in client.get("/cockpit/").content  # no link offered


def test_another_hospitals_reports_look_absent(client, shift, sign_in, make_staff, hospital):
    from accounts.domain import Role

    sign_in(make_staff(Role.CHARGE_NURSE, hospitals=[hospital]))
    assert page(client, shift).status_code == 404
    assert page(client, shift, "/reports/export/by_level.csv").status_code == 404


def test_admins_see_aggregates_only(client, shift, sign_in):
    sign_in(shift.admin)
    response = page(client, shift)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Shift General" in html and "105 min" in html  # OP-18 median
    assert "Open the call-back list" not in html and "Patient C" not in html
    assert "Grey and sweaty" not in html  # override reasons are nurses' words about a patient
    assert "The call-back list names patients and is for clinicians" in html
    assert 'href="/audit/"' in html and 'href="/cockpit/"' not in html  # the admin's links
    assert page(client, shift, "/reports/callbacks/").status_code == 403
    assert page(client, shift, "/reports/callbacks.csv").status_code == 403
    assert page(client, shift, "/reports/export/override_reasons.csv").status_code == 403
    assert page(client, shift, "/reports/export/by_level.csv").status_code == 200


@pytest.mark.parametrize("who", ["charge", "physician"])
def test_clinicians_see_the_call_back_list_and_it_is_audited(client, shift, sign_in, who):
    staff = getattr(shift, who)
    sign_in(staff)
    html = page(client, shift).content.decode()
    assert "Open the call-back list" in html and "Grey and sweaty" in html
    before = {e["entry_key"] for e in audit_entries(shift, "report.callbacks_viewed")}
    response = page(client, shift, "/reports/callbacks/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Shift, Patient C" in html and "+1 555 0103" in html
    assert "Mon 2 Mar, 08:10" in html and "Mon 2 Mar, 09:40" in html  # New York time
    assert "Patient D" not in html  # level 5: no call-back
    entries = [
        e for e in audit_entries(shift, "report.callbacks_viewed") if e["entry_key"] not in before
    ]
    shown = {e["patient_id"] for e in entries}
    assert shift.patients["C"] in shown and shift.patients["D"] not in shown  # one entry each
    assert len(entries) == len(shown)
    assert all(e["actor_id"] == staff.staff_id and "Patient" not in e["detail"] for e in entries)
    exported = page(client, shift, "/reports/callbacks.csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[0][:4] == ["Name", "Phone", "Check-in code", "Level (ESI)"]
    assert rows[1][:2] == ["Shift, Patient C", "'+1 555 0103"] and rows[1][3] == "3"
    assert audit_entries(shift, "report.callbacks_exported")


def test_viewing_and_exporting_are_audited_with_the_range(client, shift, sign_in):
    sign_in(shift.charge)
    before = len(audit_entries(shift, "report.viewed"))
    assert page(client, shift).status_code == 200
    viewed = audit_entries(shift, "report.viewed")
    assert len(viewed) == before + 1
    assert max(viewed, key=lambda e: e["entry_key"])["detail"] == "from=2026-03-02 to=2026-03-02"
    page(client, shift, "/reports/export/ecat.csv")
    exported = audit_entries(shift, "report.exported")
    assert any(e["detail"].endswith("table=ecat") for e in exported)


def test_every_table_exports_as_csv_with_units_in_the_headings(client, shift, sign_in):
    sign_in(shift.physician)
    report = shift_report(shift)
    for key in report.tables:
        response = page(client, shift, f"/reports/export/{key}.csv")
        assert response.status_code == 200, key
        assert response["Content-Type"].startswith("text/csv")
        assert f"-{key}-2026-03-02-2026-03-02.csv" in response["Content-Disposition"]
    rows = list(
        csv.reader(io.StringIO(page(client, shift, "/reports/export/op18.csv").content.decode()))
    )
    assert rows[0] == ["Patients", "Visits", "Median (min)", "90th percentile (min)"]
    assert rows[1] == ["Discharged home (OP-18)", "4", "105", "510"]
    assert page(client, shift, "/reports/export/nonsense.csv").status_code == 404


def test_csv_cells_never_start_a_formula():
    assert csv_safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert csv_safe("+1 555") == "'+1 555" and csv_safe("Plain") == "Plain"


def test_the_page_shows_labels_units_and_accessible_charts(client, shift, sign_in):
    sign_in(shift.charge)
    html = page(client, shift).content.decode()
    assert "style=" not in html  # the CSP forbids inline style
    assert html.count('role="img"') >= 10 and html.count("<desc") == html.count('role="img"')
    assert "Door to provider, median" in html and "30 min" in html and "Target ≤ 30 min" in html
    assert "New York time" in html and "America/New_York" not in html
    assert "Left without being seen" in html and "left_without_being_seen" not in html
    assert 'href="/reports/export/by_level.csv?hospital=' in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")  # nothing third-party


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2026-03-05", "date_to": "2026-03-02"}, "after the end date"),
        ({"date_from": "2025-01-01", "date_to": "2026-03-02"}, "at most 92 days"),
        ({"date_from": "yesterday"}, "Enter a valid date"),
        ({"group": "month"}, "Select a valid choice"),
        ({"date_from": "2099-01-01", "date_to": "2099-01-02"}, "in the future"),
    ],
)
def test_a_bad_filter_is_a_400_with_a_clear_error(client, shift, sign_in, params, message):
    sign_in(shift.charge)
    before = len(audit_entries(shift, "report.viewed"))
    response = page(client, shift, **params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert len(audit_entries(shift, "report.viewed")) == before  # nothing shown, nothing logged


def test_the_default_range_is_the_last_seven_days_in_the_hospitals_zone(client, shift, sign_in):
    sign_in(shift.admin)
    with frozen(local("23:30")):  # 04:30 UTC on 3 March: still 2 March in New York
        response = client.get("/reports/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="2026-02-24"' in html and 'value="2026-03-02"' in html


def test_chart_bars_stand_on_the_axis_and_labels_stay_below_it():
    from reports import charts

    chart = charts.columns("k", "t", "d", "by_period", ["a", "b", "c"], [10, 0, None], "min",
                           target=5, target_text="≤ 5 min")  # fmt: skip
    axis = charts.TOP + (chart.height - charts.TOP - charts.BOTTOM)
    tall, zero = chart.rects
    assert tall.y + tall.height == pytest.approx(axis) and tall.css == "bar over"
    assert zero.y + zero.height == pytest.approx(axis) and 0 < zero.height < 2 and zero.css == "bar"
    labels = [t for t in chart.texts if t.text in ("a", "b", "c")]
    assert len(labels) == 3 and all(t.y > axis for t in labels)
    assert any(t.text == "–" for t in chart.texts)  # "c" had no data: a dash, not a bar


# --- Issue 14's closures, reopenings and "I have left", through the real services -------------
def test_not_a_patient_reopen_and_i_have_left_reach_the_rollup_as_the_measures_need():
    """A registration closed as not a patient is no visit; reopened, it is one again; a patient
    who said "I have left" 10 minutes before staff recorded them as left without being seen has
    left at the moment they said so (and is on the call-back list at level 3)."""
    from accounts import services as accounts_services
    from accounts.domain import Role
    from cockpit import services as cockpit
    from intake import repository as intake_repository
    from intake import services as intake
    from intake.domain import IntakeAnswers
    from tests.reports_shift import CONTEXT, make_staff

    with frozen(local("08:00")) as clock:
        hospital = accounts_services.hospital_create(
            slug=f"journey-{random.randrange(10**9)}",
            name="Journey General",
            timezone="America/New_York",
            organization_id="org-shift",
        )
        charge = make_staff(hospital, Role.CHARGE_NURSE, "Carl Charge")

        def arrive(name: str, born: date = date(1986, 1, 2)):
            ticket = intake.new_ticket(hospital)
            registration = intake.intake_register(
                hospital=hospital,
                ticket=ticket,
                idempotency_key=ticket.idempotency_key,
                answers=IntakeAnswers(
                    given_name=name,
                    family_name="Journey",
                    date_of_birth=born,
                    sex="female",
                    chief_complaint="Belly pain since last night",
                    symptoms=("abdominal_pain", "vomiting"),
                    pain_score=6,
                    preferred_language="en",
                ),
                location="/",
                context=CONTEXT,
            )
            return ticket.session_id, registration.patient_id

        def now_patient(patient_id):
            return patients_repository.patient_get(patient_id, consistent=True)

        _, prank = arrive("Prank")
        session_id, left = arrive("Leaving")
        clock.now = local("08:05").timestamp()
        p = now_patient(prank)
        cockpit.patient_close_not_a_patient(charge, p, p.version, "A test", CONTEXT)
        clock.now = local("08:06").timestamp()
        _, reopened = arrive("Reopened")
        p = now_patient(reopened)
        cockpit.patient_close_not_a_patient(charge, p, p.version, "Looked fake", CONTEXT)
        clock.now = local("08:07").timestamp()
        p = now_patient(reopened)
        cockpit.patient_undo_ending(charge, p, p.version, CONTEXT)
        p = now_patient(left)
        cockpit.patient_set_acuity(charge, p, p.version, 3, "", CONTEXT)
        _, first_twin = arrive("Twin", date(1990, 5, 6))
        _, second_twin = arrive("Twin", date(1990, 5, 6))  # the same person again
        p = now_patient(second_twin)
        assert p.possible_duplicate_of == first_twin
        cockpit.patient_link_duplicate(charge, p, p.version, False, CONTEXT)
        clock.now = local("08:30").timestamp()
        session = intake_repository.intake_session_get(session_id)
        assert intake.intake_report_left(hospital=hospital, session=session, context=CONTEXT)
        clock.now = local("08:40").timestamp()
        p = now_patient(left)
        cockpit.patient_change_status(charge, p, p.version, Status.LEFT_WITHOUT_BEING_SEEN, CONTEXT)

    ids = (prank, left, reopened, first_twin, second_twin)
    items = []
    for patient_id in ids:
        found, _ = dynamodb.query_all(
            TableName=dynamodb.table_name(ENCOUNTERS),
            KeyConditionExpression="patient_id = :p",
            **Expression(p=patient_id).params(),
        )
        items += found
    # Every event names its hospital ("I have left" included): the consumer looks nothing up.
    assert all(i.get("hospital_id") == hospital.hospital_id for i in items)
    assert {"closed", "reopened", "left_reported"} <= {i["type"] for i in items}
    records = stream_records(items)
    random.Random(14).shuffle(records)
    services.rollup_apply(records + records[:5])  # reordered, partly replayed
    incremental = repository.day_items_between(
        hospital.hospital_id, SHIFT_DAY, SHIFT_DAY, consistent=True
    )
    services.rollup_rebuild(hospital, SHIFT_DAY, SHIFT_DAY)
    rebuilt = repository.day_items_between(
        hospital.hospital_id, SHIFT_DAY, SHIFT_DAY, consistent=True
    )
    assert [i["rows"] for i in incremental] == [i["rows"] for i in rebuilt]
    (day,) = repository.days_between(hospital.hospital_id, SHIFT_DAY, SHIFT_DAY)
    assert day.closed == {"not_a_patient": 1, "closed_duplicate": 1}
    assert len(day.rows) == 3  # the prank and the duplicate are no visits; the reopened one is
    row = next(r for r in day.rows if r.disposition is not None)
    assert row.disposition == Status.LEFT_WITHOUT_BEING_SEEN
    assert row.los == 30 * M  # 08:00 -> 08:30, when the patient said so (recorded 08:40)
    assert row.callback and row.patient_id == left
    still_here = [r for r in day.rows if r.disposition is None]
    assert len(still_here) == 2 and all(r.los is None for r in still_here)


def test_a_left_report_after_the_recorded_departure_changes_nothing():
    timeline = [
        event(1, EventType.ARRIVED, 0),
        event(2, EventType.TRIAGE_SUGGESTED, 0, level=3),
        event(3, EventType.DISPOSITION, 20, **{"from": "waiting", "to": "left_without_being_seen"}),
        event(4, EventType.LEFT_REPORTED, 25),
    ]
    assert derive_visit("p", timeline, ZONE).row.los == 20 * M
    # Discharged patients are not dated by a left report (they were seen and sent home).
    discharged = [*timeline[:2], event(3, EventType.LEFT_REPORTED, 10)]
    discharged.append(
        event(4, EventType.DISPOSITION, 20, **{"from": "waiting", "to": "discharged"})
    )
    assert derive_visit("p", discharged, ZONE).row.los == 20 * M


# --- Roles are per hospital ---------------------------------------------------------------------
def test_reports_follow_the_role_at_each_hospital(client, shift, sign_in, make_staff):
    """A charge nurse at the shift's hospital who is a plain nurse at a sister hospital: the
    shift's reports, not the sister's; the Reports link only where the role allows it."""
    from accounts import services as accounts_services
    from accounts.domain import Role

    sister = accounts_services.hospital_create(
        slug=f"sister-{random.randrange(10**9)}",
        name="Sister General",
        timezone="America/New_York",
        organization_id=shift.hospital.organization_id,
    )
    both = make_staff(
        Role.CHARGE_NURSE,
        roles={shift.hospital.hospital_id: Role.CHARGE_NURSE, sister.hospital_id: Role.NURSE},
    )
    sign_in(both)
    response = page(client, shift)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Open the call-back list" in html
    assert "Sister General" not in html  # not in the hospital picker
    link = f'href="/reports/?hospital={shift.hospital.hospital_id}"'
    assert link in html and 'href="/cockpit/"' in html and 'href="/audit/"' not in html
    refused = client.get("/reports/", {"hospital": sister.hospital_id, **QUERY})
    assert refused.status_code == 403
    assert client.get("/reports/callbacks/", {"hospital": sister.hospital_id}).status_code == 403
    # The cockpit on the shift's hospital offers Reports; on the sister hospital it does not.
    for hospital_id, offered in ((shift.hospital.hospital_id, True), (sister.hospital_id, False)):
        client.post("/cockpit/hospital/", {"hospital_id": hospital_id})
        queue = client.get("/cockpit/").content.decode()
        assert ("/reports/" in queue) is offered, hospital_id
