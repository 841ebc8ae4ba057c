"""Audit trail: one entry per action, write-only, admin browsing, export, S3 archive."""

import inspect
import json
import re
import uuid
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from accounts import services
from accounts.domain import Role
from audit import archive, repository
from audit.archive_repository import ArchiveConfig, ArchiveStore
from audit.domain import Action, org_partition
from audit.lambda_handler import handler
from audit.services import audit_entry, audit_record
from solace import clock, dynamodb
from solace.clock import now_utc
from solace.context import Actor, RequestContext
from solace.tables import AUDIT_LOG
from tests.cockpit_helpers import register
from tests.conftest import PASSWORD
from tests.intake_helpers import stored


@pytest.fixture
def org():
    return f"org-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def site(make_hospital, org):
    return make_hospital(organization_id=org)


def entries_of(*partitions):
    found = []
    for partition in partitions:
        entries, _ = repository.query_page(
            index=None,
            key_name="hospital_id",
            key_value=partition,
            entry_from="0",
            entry_to="~",
            filters={},
            limit=10_000,
            start_key=None,
        )
        found += entries
    return found


def actions_of(*partitions):
    return sorted(e["action"] for e in entries_of(*partitions))


def test_every_action_produces_exactly_one_entry(site, org, make_staff, sign_in):
    partitions = (site.hospital_id, org_partition(org))

    def new_entries(before):
        after = actions_of(*partitions)
        for action in before:
            after.remove(action)
        return after

    before = actions_of(*partitions)  # hospital created
    assert before == ["admin.hospital_created"]
    nurse = make_staff(Role.NURSE, hospitals=[site])
    assert new_entries(before) == ["admin.staff_created"]

    steps = []
    browser = Client(REMOTE_ADDR="198.51.100.7")

    def step(expected, do):
        nonlocal before
        before = actions_of(*partitions)
        do()
        steps.append((expected, new_entries(before)))

    patient_holder = {}
    step(["intake.submitted"], lambda: patient_holder.update(p=register(site)))
    patient = patient_holder["p"]
    step(["auth.sign_in"], lambda: sign_in(nurse, browser=browser))
    step(["queue.displayed"], lambda: browser.get("/cockpit/"))
    step(["patient.viewed"], lambda: browser.get(f"/cockpit/patients/{patient['patient_id']}/"))

    def act(action, **data):
        version = stored(patient["patient_id"])["version"]
        url = f"/cockpit/patients/{patient['patient_id']}/{action}/"
        assert browser.post(url, {"version": version, **data}).status_code == 303

    step(["patient.vitals_recorded"], lambda: act("vitals", heart_rate="90"))
    step(["patient.acuity_confirmed"], lambda: act("acuity", level=str(patient["suggested_level"])))
    step(["patient.acuity_overridden"], lambda: act("acuity", level="1", reason="grey"))
    step(["patient.room_assigned"], lambda: act("room", room="4"))
    step(["patient.staff_assigned"], lambda: act("assign", slot="nurse", staff_id=nurse.staff_id))
    step(["patient.status_changed"], lambda: act("status", status="in_triage"))
    step([], lambda: act("status", status="discharged"))  # asks first: nothing written
    step(["patient.disposition"], lambda: act("status", status="discharged", confirmed="True"))
    step(["auth.sign_out"], lambda: browser.post("/accounts/logout/"))
    step(
        ["auth.sign_in_failed"],
        lambda: browser.post("/accounts/login/", {"email": nurse.email, "password": "wrong!"}),
    )
    step(
        ["admin.hospital_changed"],
        lambda: services.hospital_update(site.slug, wait_targets=[0, 5, 20, 45, 90]),
    )
    step(
        ["admin.staff_changed"],
        lambda: services.staff_change_roles(nurse.staff_id, {site.hospital_id: Role.CHARGE_NURSE}),
    )
    step(["admin.staff_deactivated"], lambda: services.staff_deactivate(nurse.staff_id))
    for expected, got in steps:
        assert got == expected


def test_worse_report_and_throttle_are_audited(site, org, make_staff):
    from tests.intake_helpers import open_form, submit

    browser = Client()
    submit(browser, site, open_form(browser, site))
    browser.post(f"/h/{site.slug}/intake/status/worse/")
    assert actions_of(site.hospital_id).count("intake.worse_reported") == 1
    nurse = make_staff(Role.NURSE, hospitals=[site])
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(6):
        attacker.post("/accounts/login/", {"email": nurse.email, "password": "nope"})
    account = actions_of(org_partition(org))
    assert account.count("auth.sign_in_failed") == 5
    # The fifth failure starts a delay and the sixth attempt is held back: both are throttle
    # events of this account, filed under its organization where its admins see them.
    assert account.count("auth.sign_in_throttled") == 2
    assert not [e for e in entries_of("-") if e.get("client_address") == "203.0.113.9"]


def test_entries_hold_ids_not_names_or_clinical_text(site):
    patient = register(site, given_name="Zelda", chief_complaint="Migraine aura")
    [entry] = [e for e in entries_of(site.hospital_id) if e["action"] == "intake.submitted"]
    text = json.dumps(entry)
    assert "Zelda" not in text and "Migraine" not in text
    assert entry["patient_id"] == patient["patient_id"]
    assert entry["expires_at"] == pytest.approx(clock.now_epoch() + 90 * 86400, abs=60)
    expected_absent = {"detail", "actor_role", "user_agent", "client_address", "client_request_id"}
    assert set(repository.PUBLIC_FIELDS) <= set(entry) | expected_absent


def test_the_repository_can_neither_update_nor_delete_entries():
    source = inspect.getsource(repository)
    for forbidden in ("update_item", "delete_item", "Update", "Delete", "batch_write_item"):
        assert forbidden not in source
    assert "attribute_not_exists(entry_key)" in source  # a put never overwrites either


# --- Browsing ---------------------------------------------------------------------------------
@pytest.fixture
def admin_browser(site, make_staff, sign_in):
    admin = make_staff(Role.ADMIN, hospitals=[site])
    return sign_in(admin, browser=Client()), admin


ALICE, BOB, CAROL = ("a" * 32, "b" * 32, "c" * 32)
PATIENT_42, SECRET_PATIENT = ("4" * 32, "5" * 32)


def seed_entries(
    site, count, *, days_ago=0, action=Action.PATIENT_VIEWED, actor="d" * 32, patient=None
):
    base = clock.now_utc() - timedelta(days=days_ago)
    for n in range(count):
        audit_record(
            hospital_id=site.hospital_id,
            actor=Actor.staff(actor, "nurse"),
            action=action,
            context=RequestContext("req", "127.0.0.1", "test"),
            patient_id=patient,
            time=clock.iso(base - timedelta(seconds=n)),
        )


def rows(response):
    """(local date and time, action label) of each entry row on the page."""
    found = re.findall(
        r'<td class="when"[^>]*><span class="nowrap">([\d-]+)</span> <span class="nowrap">([\d:]+) '
        r'.*?<td class="what"[^>]*><a href="[^"]*">([^<]+)</a>',
        response.content.decode(),
        re.S,
    )
    return [(f"{day} {moment}", action) for day, moment, action in found]


def test_browse_pages_of_50_newest_first_with_older_via_cursor(site, admin_browser):
    browser, _ = admin_browser
    seed_entries(site, 110)
    first = browser.get("/audit/", {"hospital": site.hospital_id, "action": "patient.viewed"})
    page1 = rows(first)
    assert len(page1) == 50
    assert [t for t, _ in page1] == sorted((t for t, _ in page1), reverse=True)
    cursor = re.search(r'cursor=([^"&]+)"', first.content.decode()).group(1)
    from urllib.parse import unquote

    older = browser.get(
        "/audit/",
        {"hospital": site.hospital_id, "action": "patient.viewed", "cursor": unquote(cursor)},
        headers={"HX-Request": "true"},
    )
    page2 = rows(older)
    assert len(page2) == 50 and page2[0][0] < page1[-1][0]
    assert "<html" not in older.content.decode()  # htmx gets just the rows


def test_tampered_or_foreign_cursor_is_400(site, admin_browser):
    browser, _ = admin_browser
    seed_entries(site, 60)
    first = browser.get("/audit/", {"hospital": site.hospital_id}).content.decode()
    from urllib.parse import unquote

    cursor = unquote(re.search(r'cursor=([^"&]+)"', first).group(1))
    tampered = browser.get("/audit/", {"hospital": site.hospital_id, "cursor": cursor + "x"})
    assert tampered.status_code == 400
    other_filter = browser.get(
        "/audit/", {"hospital": site.hospital_id, "action": "auth.sign_in", "cursor": cursor}
    )
    assert other_filter.status_code == 400


def test_filters_by_actor_patient_action_and_dates(site, admin_browser):
    browser, _ = admin_browser
    seed_entries(site, 3, actor=ALICE)
    seed_entries(site, 2, actor=BOB, patient=PATIENT_42)
    seed_entries(site, 4, actor=CAROL, days_ago=20)
    by_actor = rows(browser.get("/audit/", {"hospital": site.hospital_id, "actor": ALICE}))
    assert len(by_actor) == 3
    by_patient = rows(browser.get("/audit/", {"patient": PATIENT_42}))
    assert len(by_patient) == 2
    old = (clock.now_utc() - timedelta(days=25)).date().isoformat()
    to = (clock.now_utc() - timedelta(days=15)).date().isoformat()
    by_dates = rows(
        browser.get("/audit/", {"hospital": site.hospital_id, "date_from": old, "date_to": to})
    )
    assert len(by_dates) == 4
    none = rows(browser.get("/audit/", {"hospital": site.hospital_id, "action": "auth.sign_out"}))
    assert none == []


def test_admins_see_only_their_hospitals(site, admin_browser, make_hospital, make_staff):
    browser, _ = admin_browser
    other = make_hospital()
    seed_entries(other, 2, patient=SECRET_PATIENT)
    foreign = browser.get("/audit/", {"hospital": other.hospital_id})
    assert foreign.status_code == 400  # not one of the choices this admin is offered
    assert SECRET_PATIENT not in foreign.content.decode()
    assert rows(browser.get("/audit/", {"patient": SECRET_PATIENT})) == []
    nurse = make_staff(Role.NURSE, hospitals=[site])
    nurse_browser = Client()
    nurse_browser.post("/accounts/login/", {"email": nurse.email, "password": PASSWORD})
    assert nurse_browser.get("/audit/").status_code == 403


def test_export_streams_jsonl_of_the_filter_and_is_audited(site, admin_browser):
    browser, admin = admin_browser
    seed_entries(site, 70, action=Action.ROOM_ASSIGNED)
    response = browser.get(
        "/audit/export/", {"hospital": site.hospital_id, "action": "patient.room_assigned"}
    )
    assert response.streaming
    lines = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    assert len(lines) == 70
    assert set(lines[0]) == set(repository.PUBLIC_FIELDS)
    exported = [e for e in entries_of(site.hospital_id) if e["action"] == "audit.exported"]
    assert len(exported) == 1 and exported[0]["actor_id"] == admin.staff_id


def test_invalid_filter_is_400(site, admin_browser):
    browser, _ = admin_browser
    response = browser.get("/audit/", {"hospital": site.hospital_id, "date_from": "2026-02-30"})
    assert response.status_code == 400
    backwards = browser.get(
        "/audit/",
        {"hospital": site.hospital_id, "date_from": "2026-05-01", "date_to": "2026-04-01"},
    )
    assert backwards.status_code == 400


# --- Archive ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def store():
    call_command("audit_archive_setup")
    return ArchiveStore(ArchiveConfig.from_env())


def day_objects(store, site):
    return store.keys(archive.day_prefix(site.hospital_id, clock.now_utc().date().isoformat()))


def test_archive_end_to_end_encrypted_and_verified(store, site, capsys):
    register(site)
    seed_entries(site, 5)
    call_command("audit_archive")
    keys = day_objects(store, site)
    assert keys
    head = store.s3.head_object(Bucket=store.config.bucket, Key=keys[0])
    assert head["ServerSideEncryption"] == "aws:kms"
    assert (
        head["SSEKMSKeyId"].endswith(store.config.kms_key_id.split("/")[-1]) or head["SSEKMSKeyId"]
    )
    lines = [json.loads(line) for k in keys for line in store.read(k).splitlines()]
    assert {line["action"] for line in lines} >= {"intake.submitted", "patient.viewed"}
    day = clock.now_utc().date().isoformat()
    call_command("audit_verify", hospital=site.hospital_id, date=day)
    assert "nothing missing" in capsys.readouterr().out
    store.s3.delete_object(Bucket=store.config.bucket, Key=keys[0])
    with pytest.raises(CommandError, match="missing"):
        call_command("audit_verify", hospital=site.hospital_id, date=day)
    assert "missing    " in capsys.readouterr().out


def test_a_replayed_batch_writes_nothing_new(store, site):
    register(site)
    call_command("audit_archive")  # drain what is there
    seed_entries(site, 3)
    table = dynamodb.table_name(AUDIT_LOG)
    stream_arn = store.stream_arn(table)
    positions = store.checkpoint(table + ".json")
    batches = [
        records
        for shard in store.shards(stream_arn)
        for records in store.record_batches(stream_arn, shard, positions.get(shard))
    ]
    first = [archive.archive_batch(store, records) for records in batches]
    again = [archive.archive_batch(store, records) for records in batches]
    assert sum(len(r.written) for r in first) >= 1
    assert sum(len(r.written) for r in again) == 0
    assert sum(len(r.already_there) for r in again) == sum(len(r.written) for r in first)


def insert_record(seq, entry):
    return {
        "eventName": "INSERT",
        "dynamodb": {
            "SequenceNumber": str(seq),
            "NewImage": dynamodb.serialize(repository.entry_to_item(entry)),
        },
    }


def test_ttl_deletions_are_ignored_and_lambda_reports_failures(store, site, monkeypatch):
    entry = audit_entry(
        hospital_id=site.hospital_id,
        actor=Actor.system(),
        action=Action.HOSPITAL_CHANGED,
        context=RequestContext("r", "", ""),
    )
    ttl_delete = {
        "eventName": "REMOVE",
        "userIdentity": {"type": "Service", "principalId": "dynamodb.amazonaws.com"},
        "dynamodb": {"SequenceNumber": "900000000000000000001"},
    }
    records = [insert_record("900000000000000000000", entry), ttl_delete]
    assert handler({"Records": records}, None) == {"batchItemFailures": []}
    result = archive.archive_batch(store, records)
    assert result.ignored == 1 and result.already_there  # the handler wrote it already
    monkeypatch.setenv("SOLACE_ARCHIVE_BUCKET", "no-such-bucket-" + uuid.uuid4().hex[:6])
    import audit.lambda_handler as lambda_module

    monkeypatch.setattr(lambda_module, "_store", None)
    failed = handler({"Records": records}, None)
    assert failed == {"batchItemFailures": [{"itemIdentifier": "900000000000000000000"}]}


def test_audit_filters_take_ids_not_free_text(site, admin_browser):
    browser, _ = admin_browser
    by_name = browser.get("/audit/", {"hospital": site.hospital_id, "patient": "Ana Rivera"})
    assert by_name.status_code == 400
    by_actor = browser.get("/audit/", {"hospital": site.hospital_id, "actor": "Nora Nurse"})
    assert by_actor.status_code == 400
    browsed = [e for e in entries_of(site.hospital_id) if e["action"] == "audit.browsed"]
    assert browsed == []  # nothing typed in reached the trail


def test_expired_entries_still_in_the_table_are_not_shown(site, make_staff, sign_in, clock):
    seed_entries(site, 2, action=Action.ROOM_ASSIGNED)  # they expire in 90 days
    seeded_on = now_utc().date()
    clock.advance(91 * 86400)  # expired now, but TTL has not deleted them yet
    browser = sign_in(make_staff(Role.ADMIN, hospitals=[site]), browser=Client())
    seed_entries(site, 1, action=Action.ROOM_ASSIGNED)  # the positive control: still live
    response = browser.get(
        "/audit/",
        {
            "hospital": site.hospital_id,
            "action": "patient.room_assigned",
            "date_from": (seeded_on - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    shown = rows(response)
    assert len(shown) == 1  # the live entry, not the two expired ones
    assert shown[0][0] >= now_utc().date().isoformat()


# --- Archive setup: the key as an alias, a key id or a key ARN ----------------------------------
@pytest.fixture
def kms():
    config = ArchiveConfig.from_env()
    return dynamodb.aws_client("kms", config.s3_endpoint, region=config.region)


@pytest.fixture
def archive_env(monkeypatch):
    """A fresh bucket name for this test; returns a setter for the key variable."""
    monkeypatch.setenv("SOLACE_ARCHIVE_BUCKET", f"test-{uuid.uuid4().hex[:8]}-setup")
    return lambda key: monkeypatch.setenv("SOLACE_KMS_KEY_ID", key)


def _keys(kms):
    return {k["KeyId"] for k in kms.list_keys()["Keys"]}


def _alias_names(kms):
    return {a["AliasName"] for a in kms.list_aliases()["Aliases"]}


def test_setup_creates_a_missing_alias_with_its_key_once(kms, archive_env, capsys):
    alias = f"alias/solace-{uuid.uuid4().hex[:8]}"
    archive_env(alias)
    keys_before = _keys(kms)
    call_command("audit_archive_setup")
    assert alias in _alias_names(kms) and len(_keys(kms) - keys_before) == 1
    call_command("audit_archive_setup")  # again: nothing new
    assert len(_keys(kms) - keys_before) == 1
    assert alias in capsys.readouterr().out


@pytest.mark.parametrize("form", ["KeyId", "Arn"])
def test_setup_uses_an_existing_key_given_by_id_or_arn_and_creates_nothing(kms, archive_env, form):
    key = kms.create_key(Description="operator's key")["KeyMetadata"]
    archive_env(key[form])
    keys_before, aliases_before = _keys(kms), _alias_names(kms)
    call_command("audit_archive_setup")
    assert _keys(kms) == keys_before and _alias_names(kms) == aliases_before
    store = ArchiveStore(ArchiveConfig.from_env())
    encryption = store.s3.get_bucket_encryption(Bucket=store.config.bucket)
    [rule] = encryption["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == key[form]


@pytest.mark.parametrize(
    "missing",
    [
        "0b3c4d5e-0000-4000-8000-000000000000",
        "arn:aws:kms:us-east-1:123456789012:key/0b3c4d5e-0000-4000-8000-000000000000",
    ],
)
def test_setup_refuses_a_key_id_or_arn_that_does_not_exist(kms, archive_env, missing):
    archive_env(missing)
    keys_before = _keys(kms)
    with pytest.raises(CommandError, match="SOLACE_KMS_KEY_ID") as raised:
        call_command("audit_archive_setup")
    assert missing in str(raised.value)
    assert _keys(kms) == keys_before
