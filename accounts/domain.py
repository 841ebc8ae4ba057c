"""Accounts: organizations, hospitals, staff and their roles per hospital, the signed-in staff
member."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


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
class Organization:
    """Sister hospitals and what they share. An organization without an item reads as one with
    the defaults (organizations used to be bare ids)."""

    organization_id: str
    name: str
    clinicians_need_second_factor: bool = False
    # Settings that new hospitals of the organization start with (by hospital setting name).
    hospital_defaults: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RosterEntry:
    staff_id: str
    name: str
    role: Role  # the role at the hospital whose roster this is


@dataclass(frozen=True)
class CallPlace:
    """Where staff call a patient to ("Triage desk"), in English and Spanish (the patient's
    status page and the waiting-room display show the words of the reader's language)."""

    name: str
    name_es: str = ""

    def label(self, language: str = "en") -> str:
        return self.name_es if language == "es" and self.name_es else self.name


DEFAULT_CALL_PLACES = (
    CallPlace("Triage desk", "Mesa de triaje"),
    CallPlace("Registration desk", "Mesa de registro"),
)
# Self-registrations allowed per window: from one client address (a waiting room shares one
# guest Wi-Fi, so this counts families and neighbours too) and for the whole hospital.
DEFAULT_REGISTRATIONS_PER_ADDRESS = 10
DEFAULT_REGISTRATIONS_PER_HOSPITAL = 120
DEFAULT_REGISTRATION_WINDOW_MINUTES = 10
# Minutes between reassessments of a patient not yet seen, for acuity levels 1..5.
DEFAULT_REASSESSMENT_TARGETS = (5, 15, 30, 60, 120)


@dataclass(frozen=True)
class Hospital:
    hospital_id: str
    slug: str
    name: str
    timezone: str
    organization_id: str
    # Long-wait targets in minutes for acuity levels 1..5.
    wait_targets: tuple[int, int, int, int, int] = (0, 10, 30, 60, 120)
    # Active staff of this hospital (kept on the hospital item: one read lists colleagues).
    roster: tuple[RosterEntry, ...] = ()
    # Every setting of accounts.hospital_settings.HOSPITAL_SETTINGS by name (name, timezone and
    # wait_targets are also the fields above).
    settings: dict[str, Any] = field(default_factory=dict, compare=False)

    def wait_target(self, level: int | None) -> int:
        return self.wait_targets[(level or 5) - 1]

    @property
    def temperature_unit(self) -> str:
        """How staff pages show temperatures: C or F (entries may use either)."""
        return self.settings.get("temperature_unit", "C")

    @property
    def reassessment_targets(self) -> tuple[int, int, int, int, int]:
        """Minutes between reassessments of a patient not yet seen, for levels 1..5."""
        return self.settings.get("reassessment_targets") or DEFAULT_REASSESSMENT_TARGETS

    def reassessment_target(self, level: int | None) -> int:
        return self.reassessment_targets[(level or 5) - 1]

    @property
    def call_places(self) -> tuple[CallPlace, ...]:
        """Places staff call patients to (a room can always be typed in as well)."""
        return self.settings.get("call_places") or DEFAULT_CALL_PLACES

    @property
    def registrations_per_address(self) -> int:
        """Public form limit per client address and window (0: no limit)."""
        return self.settings.get("registrations_per_address", DEFAULT_REGISTRATIONS_PER_ADDRESS)

    @property
    def registrations_per_hospital(self) -> int:
        """Public form limit for the hospital per window (0: no limit)."""
        return self.settings.get("registrations_per_hospital", DEFAULT_REGISTRATIONS_PER_HOSPITAL)

    @property
    def registration_window_minutes(self) -> int:
        return self.settings.get("registration_window_minutes", DEFAULT_REGISTRATION_WINDOW_MINUTES)

    @property
    def waiting_room_code(self) -> bool:
        """The form asks for the code of the day shown on the waiting-room display."""
        return bool(self.settings.get("waiting_room_code", False))

    def colleague(self, staff_id: str | None) -> RosterEntry | None:
        return next((r for r in self.roster if r.staff_id == staff_id), None)


@dataclass(frozen=True)
class Passkey:
    credential_id: str  # base64url of the raw credential id
    public_key: str  # base64url of the COSE public key
    sign_count: int
    created_at: str
    last_used_at: str | None = None


def _role_summary(roles: dict[str, Role]) -> str:
    """The distinct roles, for audit entries about no single hospital (sign-in, say)."""
    return "+".join(sorted({r.value for r in roles.values()})) or "none"


@dataclass(frozen=True)
class Staff:
    staff_id: str
    email: str
    name: str
    organization_id: str
    # The role at each hospital the staff member works at (a nurse here, a charge nurse there).
    roles: dict[str, Role]
    password_hash: str | None = field(default=None, repr=False)
    active: bool = True
    last_sign_in_at: str | None = None
    last_hospital_id: str | None = None  # the hospital chosen last: the default at sign-in
    totp_secret: str | None = field(default=None, repr=False)
    totp_enabled_at: str | None = None
    totp_last_step: int = 0
    recovery_codes: frozenset[str] = field(default=frozenset(), repr=False)  # hashes
    passkeys: tuple[Passkey, ...] = ()
    setup_token_hash: str | None = field(default=None, repr=False)
    setup_expires_at: int | None = None

    @property
    def hospital_ids(self) -> frozenset[str]:
        return frozenset(self.roles)

    def role_at(self, hospital_id: str) -> Role | None:
        return self.roles.get(hospital_id)

    @property
    def role_summary(self) -> str:
        return _role_summary(self.roles)

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles.values()

    @property
    def has_second_factor(self) -> bool:
        return bool(self.totp_enabled_at or self.passkeys)

    def passkey(self, credential_id: str) -> Passkey | None:
        return next((p for p in self.passkeys if p.credential_id == credential_id), None)


@dataclass(frozen=True)
class SignedInStaff:
    """What the session remembers about the signed-in staff member: no extra read per request.
    Every role check names the hospital concerned (`role_at`)."""

    staff_id: str
    email: str
    name: str
    organization_id: str
    roles: dict[str, Role]
    is_authenticated: bool = True
    last_hospital_id: str | None = None

    @property
    def hospital_ids(self) -> frozenset[str]:
        return frozenset(self.roles)

    def role_at(self, hospital_id: str) -> Role | None:
        return self.roles.get(hospital_id)

    def is_member(self, hospital_id: str) -> bool:
        return hospital_id in self.roles

    def has_role_at(self, hospital_id: str, *roles: Role) -> bool:
        return self.roles.get(hospital_id) in roles

    def has_role(self, *roles: Role) -> bool:
        """One of these roles at any hospital (what a page needs before it knows the hospital)."""
        return any(r in roles for r in self.roles.values())

    def hospitals_with(self, *roles: Role) -> frozenset[str]:
        return frozenset(h for h, r in self.roles.items() if r in roles)

    @property
    def role_summary(self) -> str:
        return _role_summary(self.roles)

    @property
    def roles_label(self) -> str:
        return ", ".join(sorted({r.label for r in self.roles.values()}))

    def to_session(self) -> dict:
        return {
            "staff_id": self.staff_id,
            "email": self.email,
            "name": self.name,
            "organization_id": self.organization_id,
            "roles": {h: r.value for h, r in sorted(self.roles.items())},
            "last_hospital_id": self.last_hospital_id,
        }

    @classmethod
    def from_session(cls, data: dict) -> SignedInStaff | AnonymousStaff:
        if "roles" not in data:  # a session from before roles per hospital: sign in again
            return ANONYMOUS
        return cls(
            staff_id=data["staff_id"],
            email=data["email"],
            name=data["name"],
            organization_id=data["organization_id"],
            roles={h: Role(r) for h, r in data["roles"].items()},
            last_hospital_id=data.get("last_hospital_id"),
        )

    @classmethod
    def from_staff(cls, staff: Staff) -> SignedInStaff:
        return cls(
            staff_id=staff.staff_id,
            email=staff.email,
            name=staff.name,
            organization_id=staff.organization_id,
            roles=dict(staff.roles),
            last_hospital_id=staff.last_hospital_id,
        )


@dataclass(frozen=True)
class AnonymousStaff:
    is_authenticated: bool = False
    staff_id: str | None = None
    organization_id: str | None = None
    roles: dict = field(default_factory=dict)
    hospital_ids: frozenset[str] = frozenset()

    def is_member(self, hospital_id: str) -> bool:
        return False

    def role_at(self, hospital_id: str) -> None:
        return None

    def has_role_at(self, hospital_id: str, *roles: Role) -> bool:
        return False

    def has_role(self, *roles: Role) -> bool:
        return False

    def hospitals_with(self, *roles: Role) -> frozenset[str]:
        return frozenset()


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


class Refused(Exception):
    """An admin action the rules do not allow (the message says why, for the admin)."""
