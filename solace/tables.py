"""Every DynamoDB table of Solace, as data: the one place for keys, indexes, TTL and streams.

`dynamodb_create_tables` builds tables from these definitions and the deploy template is checked
against them, so a table, key or index exists in exactly one place. Physical names are
SOLACE_TABLE_PREFIX + name. Each repository owns the formats of the values stored in these keys.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Key:
    name: str
    type: str = "S"  # S | N


@dataclass(frozen=True)
class Index:
    name: str
    partition_key: Key
    sort_key: Key | None = None
    projection: str = "ALL"  # ALL | KEYS_ONLY | INCLUDE
    non_key_attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableDef:
    name: str
    partition_key: Key
    sort_key: Key | None = None
    indexes: tuple[Index, ...] = ()
    ttl_attribute: str | None = None
    stream_view_type: str | None = None  # NEW_IMAGE | NEW_AND_OLD_IMAGES | ... | None

    def key_schema(self) -> list[Key]:
        return [k for k in (self.partition_key, self.sort_key) if k is not None]

    def attribute_definitions(self) -> dict[str, str]:
        keys = self.key_schema()
        for index in self.indexes:
            keys += [k for k in (index.partition_key, index.sort_key) if k is not None]
        return {k.name: k.type for k in keys}


# The live queue's index projects the key attributes and ONE derived map, `queue_row`: everything
# a queue row or the waiting-room board shows, built by patients.repository.patient_to_item. A new
# column is a new entry in that map (and a backfill), never a new index: DynamoDB cannot change
# an index's projection in place. See README, "Queue index".
QUEUE_INDEX_ATTRIBUTES = ("queue_row",)

HOSPITALS = TableDef(
    name="hospitals",
    partition_key=Key("hospital_id"),
    # slug uniqueness is a conditional write on a "slug#<slug>" claim item; reads use the index.
    indexes=(Index("by-slug", Key("slug")),),
)

ORGANIZATIONS = TableDef(
    name="organizations",
    partition_key=Key("organization_id"),
)

# What the staff list of an organization shows (never a password hash or a TOTP secret).
STAFF_LIST_ATTRIBUTES = (
    "email",
    "name",
    "roles",
    "active",
    "last_sign_in_at",
    "totp_enabled_at",
    "passkeys",
    "setup_expires_at",
)

STAFF = TableDef(
    name="staff",
    partition_key=Key("staff_id"),
    # email uniqueness is a conditional write on an "email#<email>" claim item.
    indexes=(
        Index("by-email", Key("email")),
        Index(
            "by-organization",
            Key("organization_id"),
            projection="INCLUDE",
            non_key_attributes=STAFF_LIST_ATTRIBUTES,
        ),
    ),
)

SESSIONS = TableDef(
    name="sessions",
    partition_key=Key("session_key"),
    ttl_attribute="expires_at",
    # Sparse: only signed-in sessions carry staff_id, so a deactivated account can be signed out.
    indexes=(Index("by-staff", Key("staff_id"), projection="KEYS_ONLY"),),
)

LOGIN_THROTTLE = TableDef(
    name="login-throttle",
    partition_key=Key("throttle_key"),
    ttl_attribute="expires_at",
)

PATIENTS = TableDef(
    name="patients",
    partition_key=Key("patient_id"),
    indexes=(
        Index("by-hospital", Key("hospital_id"), Key("created_at")),
        # Sparse: queue_hospital_id exists only while the patient is in the department. The
        # sort key puts pinned alerts first, then the working acuity level, then arrival:
        # "0#<level>#<alert time>" or "<level>#<arrival>" (patients.repository derives it).
        Index(
            "queue-rank",
            Key("queue_hospital_id"),
            Key("queue_rank"),
            projection="INCLUDE",
            non_key_attributes=QUEUE_INDEX_ATTRIBUTES,
        ),
        Index(
            "by-match-key",
            Key("match_key"),
            Key("created_at"),
            projection="INCLUDE",
            non_key_attributes=("hospital_id", "organization_id", "check_in_code", "status"),
        ),
    ),
)

ENCOUNTERS = TableDef(
    name="encounters",
    partition_key=Key("patient_id"),
    sort_key=Key("event_id"),
    # Feeds the ED operations rollup (reports/): each new event names its patient and hospital.
    stream_view_type="NEW_IMAGE",
)

IDEMPOTENCY = TableDef(
    name="idempotency",
    partition_key=Key("idempotency_key"),
    ttl_attribute="expires_at",
)

# Intake sessions. The table keeps its first name: renaming a table replaces it, which its
# deletion protection refuses.
INTAKE_SESSIONS = TableDef(
    name="intake-nonces",
    partition_key=Key("nonce"),
    ttl_attribute="expires_at",
)

# Per hospital: the live queue's version and counters ("<hospital_id>"), advanced in the same
# transaction as every change to who is in the department and how they sort; and one item per
# hospital and local day ("<hospital_id>#<YYYY-MM-DD>", expiring) with door-to-triage counts.
QUEUE_STATE = TableDef(
    name="queue-state",
    partition_key=Key("state_id"),
    ttl_attribute="expires_at",
)

# Waiting-room displays and kiosks: devices that work without a staff session, by a revocable
# link an admin or charge nurse makes (the link carries the device id and a secret).
DEVICES = TableDef(
    name="devices",
    partition_key=Key("device_id"),
    indexes=(Index("by-hospital", Key("hospital_id"), Key("created_at")),),
)

AUDIT_LOG = TableDef(
    name="audit-log",
    partition_key=Key("hospital_id"),
    sort_key=Key("entry_key"),  # "<ISO-8601 UTC time>#<event id>": newest first by ScanIndexForward
    ttl_attribute="expires_at",
    stream_view_type="NEW_IMAGE",
    indexes=(
        Index("by-actor", Key("actor_id"), Key("entry_key")),
        Index("by-patient", Key("patient_id"), Key("entry_key")),
        Index("by-action", Key("hospital_action"), Key("entry_key")),
    ),
)

# ED operations rollups (reports/), maintained from the encounters stream:
#   pk "P#<patient>",  sk "facts":         what the rollup knows of a visit's events
#   pk "R#<hospital>", sk "D#<local day>": the day's visits (a map of rows); the dashboard reads
#       a date range with one Query on this partition
#   pk "checkpoint",   sk "<stream>":      where the local drain stopped
METRICS = TableDef(
    name="metrics",
    partition_key=Key("pk"),
    sort_key=Key("sk"),
)

TABLES: tuple[TableDef, ...] = (
    ORGANIZATIONS,
    HOSPITALS,
    STAFF,
    SESSIONS,
    LOGIN_THROTTLE,
    PATIENTS,
    ENCOUNTERS,
    IDEMPOTENCY,
    INTAKE_SESSIONS,
    QUEUE_STATE,
    DEVICES,
    AUDIT_LOG,
    METRICS,
)
