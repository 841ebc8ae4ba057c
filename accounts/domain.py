"""Accounts: hospitals, staff and their roles, the signed-in staff member."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    NURSE = "nurse"
    PHYSICIAN = "physician"
    CHARGE_NURSE = "charge_nurse"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.NURSE: "Nurse",
    Role.PHYSICIAN: "Physician",
    Role.CHARGE_NURSE: "Charge nurse",
    Role.ADMIN: "Admin",
}


CLINICAL_ROLES = frozenset({Role.NURSE, Role.PHYSICIAN, Role.CHARGE_NURSE})


@dataclass(frozen=True)
class RosterEntry:
    staff_id: str
    name: str
    role: Role


@dataclass(frozen=True)
class Hospital:
    hospital_id: str
    slug: str
    name: str
    timezone: str
    organization_id: str
    # Long-wait targets in minutes for acuity levels 1..5.
    wait_targets: tuple[int, int, int, int, int] = (0, 10, 30, 60, 120)
    temperature_unit: str = "C"  # how staff pages show temperatures: C | F
    # Minutes between reassessments of a patient not yet seen, for acuity levels 1..5.
    reassessment_targets: tuple[int, int, int, int, int] = (5, 15, 30, 60, 120)
    # Active staff of this hospital (kept on the hospital item: one read lists colleagues).
    roster: tuple[RosterEntry, ...] = ()

    def wait_target(self, level: int | None) -> int:
        return self.wait_targets[(level or 5) - 1]

    def reassessment_target(self, level: int | None) -> int:
        return self.reassessment_targets[(level or 5) - 1]

    def colleague(self, staff_id: str | None) -> RosterEntry | None:
        return next((r for r in self.roster if r.staff_id == staff_id), None)


@dataclass(frozen=True)
class Staff:
    staff_id: str
    email: str
    name: str
    role: Role
    hospital_ids: frozenset[str]
    organization_ids: frozenset[str]
    password_hash: str = field(repr=False)
    active: bool = True
    last_hospital_id: str | None = None  # the hospital chosen last: the default at sign-in


@dataclass(frozen=True)
class SignedInStaff:
    """What the session remembers about the signed-in staff member: no extra read per request."""

    staff_id: str
    email: str
    name: str
    role: Role
    hospital_ids: frozenset[str]
    organization_ids: frozenset[str]
    is_authenticated: bool = True
    last_hospital_id: str | None = None

    def is_member(self, hospital_id: str) -> bool:
        return hospital_id in self.hospital_ids

    def to_session(self) -> dict:
        return {
            "staff_id": self.staff_id,
            "email": self.email,
            "name": self.name,
            "role": self.role.value,
            "hospital_ids": sorted(self.hospital_ids),
            "organization_ids": sorted(self.organization_ids),
            "last_hospital_id": self.last_hospital_id,
        }

    @classmethod
    def from_session(cls, data: dict) -> SignedInStaff:
        return cls(
            staff_id=data["staff_id"],
            email=data["email"],
            name=data["name"],
            role=Role(data["role"]),
            hospital_ids=frozenset(data["hospital_ids"]),
            organization_ids=frozenset(data["organization_ids"]),
            last_hospital_id=data.get("last_hospital_id"),
        )

    @classmethod
    def from_staff(cls, staff: Staff) -> SignedInStaff:
        return cls(
            staff_id=staff.staff_id,
            email=staff.email,
            name=staff.name,
            role=staff.role,
            hospital_ids=staff.hospital_ids,
            organization_ids=staff.organization_ids,
            last_hospital_id=staff.last_hospital_id,
        )


@dataclass(frozen=True)
class AnonymousStaff:
    is_authenticated: bool = False
    staff_id: str | None = None
    role: Role | None = None
    hospital_ids: frozenset[str] = frozenset()

    def is_member(self, hospital_id: str) -> bool:
        return False


ANONYMOUS = AnonymousStaff()


# --- Devices: screens that work without a staff session ---------------------------------------
class DeviceKind(StrEnum):
    DISPLAY = "display"  # a waiting-room TV showing the board


@dataclass(frozen=True)
class Device:
    """A named, revocable link for a screen in the hospital. The link carries the device id
    and a secret; only the secret's digest is stored."""

    device_id: str
    hospital_id: str
    kind: DeviceKind
    name: str
    created_at: str
    created_by: str
    created_by_name: str
    secret_digest: str = field(repr=False)
    revoked_at: str | None = None
    revoked_by_name: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class DuplicateError(Exception):
    """A unique value (hospital slug, staff email) is already taken."""


class NotFound(Exception):
    pass
