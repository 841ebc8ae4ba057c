"""Shared helpers for intake tests: a valid form, and what a hospital has stored."""

import re

from solace import dynamodb
from solace.dynamodb import Expression
from solace.tables import AUDIT_LOG, IDEMPOTENCY, PATIENTS

VALID = {
    "given_name": "Ana",
    "family_name": "García López",
    "date_of_birth_day": "23",
    "date_of_birth_month": "4",
    "date_of_birth_year": "1980",
    "sex": "female",
    "phone": "+1 555 123 4567",
    "chief_complaint": "Pressure in my chest since this morning",
    "symptoms": ["chest_pain", "trouble_breathing"],
    "pain_score": "6",
    "onset": "today",
    "pregnant": "no",
    "allergies": "penicillin",
    "medications": "",
    "conditions": "high blood pressure",
    "preferred_language": "es",
}


def form_key(response) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', response.content.decode()).group(1)


def open_form(client, hospital):
    response = client.get(f"/h/{hospital.slug}/intake/")
    assert response.status_code == 200
    return form_key(response)


def date_parts(iso: str) -> dict[str, str]:
    """A date as the form's three fields (day, month, year)."""
    year, month, day = iso.split("-")
    return {
        "date_of_birth_day": str(int(day)),
        "date_of_birth_month": str(int(month)),
        "date_of_birth_year": year,
    }


def submit(client, hospital, key, **changes):
    """Post every answer at once (what a final step carries); born="YYYY-MM-DD" is spelled out
    into the form's three date fields."""
    if "born" in changes:
        changes = dict(changes)
        changes.update(date_parts(changes.pop("born")))
    data = {**VALID, **changes, "idempotency_key": key}
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(f"/h/{hospital.slug}/intake/", data)


def patients(hospital):
    """The stored patient items of a hospital, as DynamoDB holds them."""
    items, _ = dynamodb.query_all(
        TableName=dynamodb.table_name(PATIENTS),
        IndexName="by-hospital",
        KeyConditionExpression="hospital_id = :h",
        **Expression(h=hospital.hospital_id).params(),
    )
    return items


def stored(patient_id):
    """One patient item as DynamoDB holds it (a consistent read)."""
    return dynamodb.get_item(PATIENTS, {"patient_id": patient_id}, consistent=True)


def audit_entries(hospital, action="intake.submitted"):
    response = dynamodb.call(
        "query",
        TableName=dynamodb.table_name(AUDIT_LOG),
        KeyConditionExpression="hospital_id = :h",
        **Expression(h=hospital.hospital_id).params(),
        ConsistentRead=True,
    )
    entries = [dynamodb.deserialize(i) for i in response["Items"]]
    return [e for e in entries if action is None or e["action"] == action]


def idempotency_records(hospital):
    # Tests only: a Scan is fine over the test table to prove nothing was written.
    response = dynamodb.call(
        "scan",
        TableName=dynamodb.table_name(IDEMPOTENCY),
        FilterExpression="begins_with(idempotency_key, :h)",
        **Expression(h=hospital.hospital_id + "#").params(),
        ConsistentRead=True,
    )
    return [dynamodb.deserialize(i) for i in response["Items"]]
