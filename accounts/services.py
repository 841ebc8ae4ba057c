"""Account writes: sign-in (throttled, with second factors), sign-out, re-authentication, set-up
links, the staff lifecycle, hospitals and organizations, demo data, denied-access entries."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.http import HttpRequest
from django.middleware.csrf import rotate_token

from accounts import repository, second_factors, selectors
from accounts.domain import (
    CLINICAL_ROLES,
    Device,
    DeviceKind,
    DuplicateError,
    Hospital,
    NotFound,
    Organization,
    Refused,
    Role,
    SignedInStaff,
    Staff,
)
from accounts.hospital_settings import SETTINGS_BY_NAME, hospital_defaults
from accounts.passwords import validate_password
from accounts.second_factors import Challenge, FactorError
from accounts.session_backend import STAFF_SESSION_KEY
from audit.domain import NO_HOSPITAL, Action, org_partition
from audit.services import audit_record
from solace import clock
from solace.context import SYSTEM_CONTEXT, Actor, ActorType, RequestContext

SETUP_LINK_SECONDS = 24 * 60 * 60
PENDING_SIGN_IN_SECONDS = 5 * 60
FACTOR_MAX_FAILURES = 10  # wrong codes per account in a window, then codes wait (passkeys work)
PENDING_KEY = "pending_sign_in"
CHALLENGE_KEY = "webauthn_challenge"
TOTP_PENDING_KEY = "totp_pending_secret"
SETUP_KEY = "setup"
NEW_CODES_KEY = "new_recovery_codes"
REAUTHENTICATED_KEY = "reauthenticated_at"


class SignInFailed(Exception):
    """Wrong email or password, or an inactive account: callers cannot tell which."""


class SignInThrottled(Exception):
    """Too many failed attempts: wait `wait_seconds` (a passkey still signs in)."""

    def __init__(self, wait_seconds: int):
        super().__init__(f"throttled for {wait_seconds}s")
        self.wait_seconds = wait_seconds

    @property
    def wait_minutes(self) -> int:
        return max(1, -(-self.wait_seconds // 60))


class FactorFailed(Exception):
    """A second-factor code or passkey answer that does not verify."""


@dataclass(frozen=True)
class SignInAttempt:
    email: str
    password: str
    context: RequestContext


# --- Audit ----------------------------------------------------------------------------------
def account_partition(organization_id: str | None) -> str:
    """Where an account's events are filed: its organization's audit partition."""
    return org_partition(organization_id) if organization_id else NO_HOSPITAL


def actor_of(staff: Staff | SignedInStaff, hospital_id: str | None = None) -> Actor:
    """The staff member as an audit actor, with their role at the hospital concerned (or all
    their roles for events about no single hospital)."""
    role = staff.role_at(hospital_id) if hospital_id else None
    return Actor.staff(staff.staff_id, role.value if role else staff.role_summary)


def _audit_account(
    action: Action,
    staff: Staff | SignedInStaff | None,
    context: RequestContext,
    outcome: str = "success",
    detail: str | None = None,
) -> None:
    audit_record(
        hospital_id=account_partition(staff.organization_id if staff else None),
        actor=actor_of(staff) if staff else Actor(ActorType.STAFF, "unknown-account"),
        action=action,
        context=context,
        outcome=outcome,
        detail=detail,
    )


def access_denied(
    request: HttpRequest, *, status: int, patient_id: str | None = None, detail: str = ""
) -> None:
    """A refused page (403) or a record that is not this person's to see (404), filed under
    the actor's organization: the attempt is on record even when its target does not exist."""
    staff = request.staff
    match = getattr(request, "resolver_match", None)
    route = match.view_name if match else "?"
    audit_record(
        hospital_id=account_partition(staff.organization_id),
        actor=actor_of(staff),
        action=Action.ACCESS_DENIED,
        context=RequestContext.from_request(request),
        patient_id=patient_id,
        outcome="forbidden" if status == 403 else "not_found",
        detail=" ".join(filter(None, [f"page={route}", detail])),
    )


# --- Throttle -------------------------------------------------------------------------------
def _digest(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class _Counter:
    key: str
    limit: int
    progressive: bool  # delays double from the limit on; otherwise the lock-out at once

    def lock_seconds(self, failures: int) -> int:
        lockout = settings.SOLACE_LOGIN_LOCKOUT_SECONDS
        if failures < self.limit:
            return 0
        if not self.progressive:
            return lockout
        return min(lockout, 30 * 2 ** (failures - self.limit))


def _password_counters(email: str, address: str) -> list[_Counter]:
    """The pair (this account from this address) is held back first, with growing delays; the
    account and the address alone only at much higher ceilings. The email is hashed: the
    throttle table needs no readable account names."""
    email = repository.normalize_email(email)
    address = address or "unknown"
    return [
        _Counter(
            repository.THROTTLE_PAIR.format(_digest(email, address)),
            settings.SOLACE_LOGIN_MAX_FAILURES,
            progressive=True,
        ),
        _Counter(
            repository.THROTTLE_ACCOUNT.format(_digest(email)),
            settings.SOLACE_LOGIN_ACCOUNT_MAX_FAILURES,
            progressive=False,
        ),
        _Counter(
            repository.THROTTLE_ADDRESS.format(address),
            settings.SOLACE_LOGIN_ADDRESS_MAX_FAILURES,
            progressive=False,
        ),
    ]


def _factor_counters(staff: Staff, address: str) -> list[_Counter]:
    return [
        _password_counters(staff.email, address)[0],
        _Counter(repository.THROTTLE_FACTOR.format(staff.staff_id), FACTOR_MAX_FAILURES, False),
    ]


def _wait_seconds(counters: list[_Counter]) -> int:
    now = clock.now_epoch()
    stored = repository.throttle_counts([c.key for c in counters])
    return max((int(i.get("locked_until", 0)) - now for i in stored.values()), default=0)


def _count_failure(counters: list[_Counter]) -> int:
    """Count one failure on every counter; the seconds to wait now (0: none)."""
    now = clock.now_epoch()
    wait = 0
    for counter in counters:
        item = repository.throttle_add_failure(counter.key, settings.SOLACE_LOGIN_WINDOW_SECONDS)
        seconds = counter.lock_seconds(int(item["failures"]))
        if seconds:
            repository.throttle_lock(counter.key, now + seconds, int(item["expires_at"]))
            wait = max(wait, seconds)
    return wait


def staff_authenticate(attempt: SignInAttempt) -> Staff:
    """The staff member for this email and password, or SignInFailed / SignInThrottled. Every
    refusal of a real account is audited under its organization."""
    counters = _password_counters(attempt.email, attempt.context.client_address)
    wait = _wait_seconds(counters)
    staff = repository.staff_get_by_email(attempt.email)
    if wait > 0:
        _audit_account(
            Action.SIGN_IN_THROTTLED, staff, attempt.context, "throttled", f"wait={wait}s"
        )
        raise SignInThrottled(wait)
    if staff is not None and staff.password_hash:
        password_ok = check_password(attempt.password, staff.password_hash)
    else:
        # Hashing costs what verifying costs: a failed attempt takes as long whether or not the
        # account exists, so timing does not reveal which emails have accounts (as Django's
        # ModelBackend does it; no dummy hash to compute at start-up).
        make_password(attempt.password)
        password_ok = False
    if staff is not None and staff.active and password_ok:
        repository.throttle_clear(counters[0].key)
        return staff
    _audit_account(Action.SIGN_IN_FAILED, staff, attempt.context, "failed")
    wait = _count_failure(counters)
    if wait:
        _audit_account(
            Action.SIGN_IN_THROTTLED, staff, attempt.context, "throttled", f"wait={wait}s"
        )
        raise SignInThrottled(wait)
    raise SignInFailed


def organization_of(organization_id: str) -> Organization:
    return repository.organization_get(organization_id) or Organization(
        organization_id=organization_id, name=organization_id
    )


def second_factor_required(staff: Staff) -> bool:
    """Admins always; clinicians when their organization says so."""
    if staff.is_admin:
        return True
    clinical = any(r in CLINICAL_ROLES for r in staff.roles.values())
    return clinical and organization_of(staff.organization_id).clinicians_need_second_factor


def second_step(staff: Staff) -> str:
    """After a right password: "verify" (a code or passkey), "enrol" (a factor is required and
    there is none yet: enrol one now) or "" (signed in)."""
    if staff.has_second_factor:
        return "verify"
    return "enrol" if second_factor_required(staff) else ""


# --- Sessions: pending sign-in, sign-in, sign-out ---------------------------------------------
def pending_sign_in_start(request: HttpRequest, staff: Staff, step: str, next_url: str) -> None:
    """The password was right; the second step decides. Nothing is signed in yet."""
    request.session.flush()
    request.session[PENDING_KEY] = {
        "staff_id": staff.staff_id,
        "step": step,
        "next": next_url,
        "until": clock.now_epoch() + PENDING_SIGN_IN_SECONDS,
    }


def pending_sign_in(request: HttpRequest) -> tuple[Staff, dict] | None:
    """The staff member half-way through signing in (live, active), and the pending state."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or pending.get("until", 0) <= clock.now_epoch():
        return None
    staff = repository.staff_get(pending["staff_id"], consistent=True)
    if staff is None or not staff.active:
        return None
    return staff, pending


def staff_sign_in(request: HttpRequest, staff: Staff, method: str = "password") -> SignedInStaff:
    """Start a fresh session holding who is signed in.

    flush() drops the old item and key, so the response's save creates a new key (no session
    fixation) in one conditional write; the CSRF token is rotated as well.
    """
    carried = request.session.get(NEW_CODES_KEY)
    request.session.flush()
    rotate_token(request)
    signed_in = SignedInStaff.from_staff(staff)
    request.session[STAFF_SESSION_KEY] = signed_in.to_session()
    if carried:
        request.session[NEW_CODES_KEY] = carried
    request.staff = signed_in
    repository.staff_signed_in(staff.staff_id, clock.utc_now_iso())
    _audit_account(
        Action.SIGN_IN, staff, RequestContext.from_request(request), detail=f"method={method}"
    )
    return signed_in


def staff_unlock(request: HttpRequest, password: str) -> None:
    """Open the locked session of the staff member signed in, after re-checking who it is
    (`staff_reauthenticate`: throttled and audited like a sign-in). SignInFailed when the
    password is refused (the session stays locked)."""
    if not staff_reauthenticate(request, password=password):
        raise SignInFailed
    if not request.session.unlock():
        raise SignInFailed  # signed out or expired meanwhile


def staff_choose_hospital(staff: SignedInStaff, hospital_id: str) -> None:
    """Remember the hospital a staff member works at: the default at their next sign-in."""
    if staff.last_hospital_id != hospital_id:
        repository.staff_remember_hospital(staff.staff_id, hospital_id)


def staff_sign_out(request: HttpRequest) -> None:
    if request.staff.is_authenticated:
        context = RequestContext.from_request(request)
        _audit_account(Action.SIGN_OUT, request.staff, context)
    request.session.flush()
    rotate_token(request)  # the old CSRF token ends with the session


def staff_verify_code(request: HttpRequest, staff: Staff, code: str) -> str:
    """Accept a TOTP code (each works once) or a recovery code (each works once); returns the
    method. FactorFailed or SignInThrottled otherwise, counted like a wrong password."""
    context = RequestContext.from_request(request)
    counters = _factor_counters(staff, context.client_address)
    wait = _wait_seconds(counters)
    if wait > 0:
        _audit_account(Action.SIGN_IN_THROTTLED, staff, context, "throttled", "second factor")
        raise SignInThrottled(wait)
    if staff.totp_secret:
        step = second_factors.totp_step(staff.totp_secret, code, clock.now_epoch())
        if step is not None and repository.staff_use_totp_step(staff.staff_id, step):
            return "totp"
    if second_factors.looks_like_recovery_code(code) and repository.staff_use_recovery_code(
        staff.staff_id, second_factors.recovery_code_hash(code)
    ):
        return "recovery_code"  # the sign-in entry says so (method=password+recovery_code)
    _audit_account(Action.SECOND_FACTOR_FAILED, staff, context, "failed", "code")
    wait = _count_failure(counters)
    if wait:
        raise SignInThrottled(wait)
    raise FactorFailed


# --- Passkeys ---------------------------------------------------------------------------------
def _origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def passkey_options(request: HttpRequest, purpose: str, staff: Staff | None = None) -> str:
    """Options for navigator.credentials.get(): for `sign_in` any of this site's passkeys; for
    `second_factor` and `reauthenticate`, one of this staff member's."""
    options, challenge = second_factors.authentication_options(
        rp_id=settings.SOLACE_WEBAUTHN_RP_ID, allowed=staff.passkeys if staff else ()
    )
    staff_id = staff.staff_id if staff else None
    request.session[CHALLENGE_KEY] = Challenge(purpose, challenge, staff_id).to_session()
    return options


def passkey_verify(request: HttpRequest, purpose: str, credential: str) -> Staff:
    """The staff member whose passkey answered this session's challenge (used once), or
    FactorFailed. Never blocked by password failures: a passkey cannot be guessed."""
    context = RequestContext.from_request(request)
    challenge = Challenge.from_session(request.session.pop(CHALLENGE_KEY, None))
    if challenge is None or challenge.purpose != purpose:
        raise FactorFailed
    try:
        staff_id, credential_id = second_factors.assertion_ids(credential)
    except FactorError as exc:
        raise FactorFailed from exc
    staff = repository.staff_get(staff_id, consistent=True) if len(staff_id) <= 64 else None
    passkey = staff.passkey(credential_id) if staff else None
    if staff is None or passkey is None or not staff.active:
        _audit_account(Action.SECOND_FACTOR_FAILED, staff, context, "failed", "passkey")
        raise FactorFailed
    if challenge.staff_id and challenge.staff_id != staff.staff_id:
        _audit_account(Action.SECOND_FACTOR_FAILED, staff, context, "failed", "other account")
        raise FactorFailed
    try:
        count = second_factors.verify_assertion(
            credential=credential,
            challenge=challenge.challenge,
            rp_id=settings.SOLACE_WEBAUTHN_RP_ID,
            origin=_origin(request),
            passkey=passkey,
        )
    except FactorError as exc:
        _audit_account(Action.SECOND_FACTOR_FAILED, staff, context, "failed", "passkey")
        raise FactorFailed from exc
    if not repository.staff_passkey_used(staff.staff_id, credential_id, count, clock.utc_now_iso()):
        _audit_account(Action.SECOND_FACTOR_FAILED, staff, context, "failed", "passkey counter")
        raise FactorFailed
    return staff


def passkey_register_options(request: HttpRequest, staff: Staff) -> str:
    options, challenge = second_factors.registration_options(
        rp_id=settings.SOLACE_WEBAUTHN_RP_ID,
        staff_id=staff.staff_id,
        email=staff.email,
        name=staff.name,
        existing=staff.passkeys,
    )
    request.session[CHALLENGE_KEY] = Challenge("register", challenge, staff.staff_id).to_session()
    return options


def passkey_register(request: HttpRequest, staff: Staff, credential: str) -> None:
    challenge = Challenge.from_session(request.session.pop(CHALLENGE_KEY, None))
    if challenge is None or challenge.purpose != "register" or challenge.staff_id != staff.staff_id:
        raise FactorFailed
    try:
        passkey = second_factors.verify_registration(
            credential=credential,
            challenge=challenge.challenge,
            rp_id=settings.SOLACE_WEBAUTHN_RP_ID,
            origin=_origin(request),
            now=clock.utc_now_iso(),
        )
    except FactorError as exc:
        raise FactorFailed from exc
    repository.staff_add_passkey(staff.staff_id, passkey)
    _audit_account(
        Action.FACTOR_ADDED, staff, RequestContext.from_request(request), detail="passkey"
    )


def passkey_remove(staff: Staff, credential_id: str, context: RequestContext) -> None:
    remaining = len(staff.passkeys) - 1 + bool(staff.totp_enabled_at)
    if remaining < 1 and second_factor_required(staff):
        raise Refused("Add another second factor before removing your last one.")
    repository.staff_remove_passkey(staff.staff_id, credential_id)
    _audit_account(Action.FACTOR_REMOVED, staff, context, detail="passkey")


# --- TOTP and recovery codes ------------------------------------------------------------------
def totp_enrol_secret(request: HttpRequest) -> str:
    """The secret being enrolled in this session (made once, kept until confirmed)."""
    secret = request.session.get(TOTP_PENDING_KEY)
    if not secret:
        secret = second_factors.new_totp_secret()
        request.session[TOTP_PENDING_KEY] = secret
    return secret


def totp_enrol(request: HttpRequest, staff: Staff, code: str) -> None:
    """Turn TOTP on once a code from the app proves it holds the secret."""
    secret = request.session.get(TOTP_PENDING_KEY)
    step = second_factors.totp_step(secret, code, clock.now_epoch()) if secret else None
    if step is None:
        raise FactorFailed
    repository.staff_enable_totp(staff.staff_id, secret, clock.utc_now_iso(), step)
    del request.session[TOTP_PENDING_KEY]
    _audit_account(Action.FACTOR_ADDED, staff, RequestContext.from_request(request), detail="totp")


def totp_disable(staff: Staff, context: RequestContext) -> None:
    if not staff.passkeys and second_factor_required(staff):
        raise Refused("Add a passkey before turning the authenticator app off.")
    repository.staff_disable_totp(staff.staff_id)
    _audit_account(Action.FACTOR_REMOVED, staff, context, detail="totp")


def recovery_codes_create(staff: Staff, context: RequestContext) -> list[str]:
    """Ten new one-time codes (the old ones stop working); shown once, stored hashed."""
    codes = second_factors.new_recovery_codes()
    repository.staff_set_recovery_codes(
        staff.staff_id, {second_factors.recovery_code_hash(c) for c in codes}
    )
    _audit_account(Action.RECOVERY_CODES_CREATED, staff, context)
    return codes


def enrolment_finished(request: HttpRequest, staff: Staff) -> None:
    """A first second factor was added: recovery codes go with it, shown on the next page."""
    if not staff.recovery_codes:
        codes = recovery_codes_create(staff, RequestContext.from_request(request))
        request.session[NEW_CODES_KEY] = codes


# --- Re-authentication (the cockpit's locked view) ----------------------------------------------
def staff_reauthenticate(
    request: HttpRequest, *, password: str | None = None, passkey_credential: str | None = None
) -> bool:
    """Confirm that the signed-in person is still at the screen, with their password or one of
    their passkeys (purpose "reauthenticate"). True on success (recorded in the session as
    `reauthenticated_at`); audited either way. Password failures count like sign-in failures.
    """
    signed_in = request.staff
    context = RequestContext.from_request(request)
    staff = repository.staff_get(signed_in.staff_id, consistent=True)
    if staff is None or not staff.active:
        return False
    ok = False
    if passkey_credential is not None:
        try:
            verified = passkey_verify(request, "reauthenticate", passkey_credential)
            ok = verified.staff_id == staff.staff_id
        except FactorFailed:
            ok = False
    elif password is not None:
        attempt = SignInAttempt(email=staff.email, password=password, context=context)
        try:
            ok = staff_authenticate(attempt).staff_id == staff.staff_id
        except (SignInFailed, SignInThrottled):
            ok = False
    if ok:
        request.session[REAUTHENTICATED_KEY] = clock.now_epoch()
        _audit_account(Action.REAUTHENTICATED, staff, context)
    return ok


# --- Set-up links -----------------------------------------------------------------------------
def _token_hash(token: str) -> str:
    return hashlib.sha256(f"solace-setup:{token}".encode()).hexdigest()


def _new_setup(staff_id: str) -> tuple[str, str, int]:
    token = secrets.token_urlsafe(32)
    return f"{staff_id}.{token}", _token_hash(token), clock.now_epoch() + SETUP_LINK_SECONDS


def setup_staff(key: str) -> Staff | None:
    """The staff member whose live set-up link this is, or None (unknown, used, expired)."""
    staff_id, _, token = key.partition(".")
    if not token or len(key) > 200:
        return None
    staff = repository.staff_get(staff_id, consistent=True)
    if staff is None or not staff.active or not staff.setup_token_hash:
        return None
    if not hmac.compare_digest(staff.setup_token_hash, _token_hash(token)):
        return None
    if (staff.setup_expires_at or 0) <= clock.now_epoch():
        return None
    return staff


def setup_set_password(staff: Staff, password: str) -> None:
    """ValidationError when the password breaks a rule."""
    validate_password(password, name=staff.name, email=staff.email)
    repository.staff_set_password(staff.staff_id, make_password(password))


def setup_finish(request: HttpRequest, staff: Staff, key: str) -> bool:
    """Use up the link and sign in; False when the link was used meanwhile."""
    _, _, token = key.partition(".")
    if not repository.staff_finish_setup(staff.staff_id, _token_hash(token)):
        return False
    _audit_account(Action.SETUP_COMPLETED, staff, RequestContext.from_request(request))
    staff_sign_in(request, repository.staff_get(staff.staff_id, consistent=True), "setup")
    return True


# --- Staff lifecycle ----------------------------------------------------------------------------
def _audit_change(
    action: Action,
    staff: Staff,
    actor: SignedInStaff | None,
    context: RequestContext,
    detail: str,
) -> None:
    """Staff changes are filed under the staff member's organization, by an admin or (from a
    management command) the system."""
    audit_record(
        hospital_id=account_partition(staff.organization_id),
        actor=actor_of(actor) if actor else Actor.system(),
        action=action,
        context=context,
        detail=f"staff={staff.staff_id} {detail}".strip(),
    )


def _roles_text(roles: dict[str, Role]) -> str:
    return ",".join(f"{h}:{r.value}" for h, r in sorted(roles.items())) or "none"


def _may_manage(actor: SignedInStaff | None, staff: Staff) -> None:
    if actor is None:
        return  # an operator at the command line
    if actor.staff_id == staff.staff_id:
        raise Refused("You cannot change your own account here; ask another admin.")
    if staff.organization_id != actor.organization_id or not (
        set(staff.roles) & actor.hospitals_with(Role.ADMIN)
    ):
        raise NotFound(staff.staff_id)


def _active_admins(organization_id: str) -> set[str]:
    return {
        s["staff_id"]
        for s in repository.staff_of_organization(organization_id)
        if s["active"] and Role.ADMIN in s["roles"].values()
    }


def _keep_an_admin(staff: Staff, changed: Staff) -> None:
    """An organization always keeps at least one active admin."""
    was_admin = staff.active and staff.is_admin
    stays_admin = changed.active and changed.is_admin
    if (
        was_admin
        and not stays_admin
        and not (_active_admins(staff.organization_id) - {staff.staff_id})
    ):
        raise Refused(
            "This is the organization's last active admin: make someone else admin first."
        )


def end_sessions(staff_id: str) -> None:
    for session_key in repository.session_keys_of_staff(staff_id):
        repository.session_delete(session_key)


def _hospitals_of_one_organization(hospital_ids) -> list[Hospital]:
    hospitals = repository.hospitals_get_many(set(hospital_ids))
    missing = set(hospital_ids) - {h.hospital_id for h in hospitals}
    if missing:
        raise NotFound(f"unknown hospital ids: {', '.join(sorted(missing))}")
    if len({h.organization_id for h in hospitals}) > 1:
        raise Refused("A staff member works at hospitals of one organization only.")
    return hospitals


def staff_create(
    *,
    email: str,
    name: str,
    roles: dict[str, Role],
    password: str | None = None,
    actor: SignedInStaff | None = None,
    context: RequestContext = SYSTEM_CONTEXT,
    staff_id: str | None = None,
) -> tuple[Staff, str | None]:
    """A new staff member with a role at each given hospital. Without a password: a set-up link
    key (valid 24 hours, shown once) where they choose one and enrol a second factor. A fixed
    `staff_id` is for the shift simulator's own accounts."""
    if not roles:
        raise Refused("Choose at least one hospital and role.")
    if actor is not None and not set(roles) <= actor.hospitals_with(Role.ADMIN):
        raise Refused("You can only grant roles at hospitals you administer.")
    hospitals = _hospitals_of_one_organization(roles)
    email = repository.normalize_email(email)
    staff_id = staff_id or uuid.uuid4().hex
    setup_key = token_hash = expires_at = None
    if password is None:
        setup_key, token_hash, expires_at = _new_setup(staff_id)
    else:
        validate_password(password, name=name, email=email)
    staff = Staff(
        staff_id=staff_id,
        email=email,
        name=name,
        organization_id=hospitals[0].organization_id,
        roles=dict(roles),
        password_hash=make_password(password) if password is not None else None,
        setup_token_hash=token_hash,
        setup_expires_at=expires_at,
    )
    repository.staff_insert(staff)
    _audit_change(Action.STAFF_CREATED, staff, actor, context, f"roles={_roles_text(staff.roles)}")
    return staff, setup_key


def _staff_to_manage(staff_id: str, actor: SignedInStaff | None) -> Staff:
    staff = repository.staff_get(staff_id, consistent=True)
    if staff is None:
        raise NotFound(staff_id)
    _may_manage(actor, staff)
    return staff


def staff_change_roles(
    staff_id: str,
    roles: dict[str, Role | None],
    *,
    actor: SignedInStaff | None = None,
    context: RequestContext = SYSTEM_CONTEXT,
) -> Staff:
    """Set (a Role) or take away (None) the role at each given hospital; other hospitals keep
    theirs. An admin changes only hospitals they administer. Open sessions end: the next
    sign-in carries the new roles."""
    staff = _staff_to_manage(staff_id, actor)
    if actor is not None and not set(roles) <= actor.hospitals_with(Role.ADMIN):
        raise Refused("You can only grant roles at hospitals you administer.")
    new_roles = {h: r for h, r in staff.roles.items() if h not in roles}
    new_roles.update({h: r for h, r in roles.items() if r is not None})
    if not new_roles:
        raise Refused("Keep at least one hospital, or deactivate the account instead.")
    if new_roles == staff.roles:
        return staff
    hospitals = _hospitals_of_one_organization(new_roles)
    if hospitals[0].organization_id != staff.organization_id:
        raise Refused("A staff member works at hospitals of one organization only.")
    changed = replace(staff, roles=new_roles)
    _keep_an_admin(staff, changed)
    repository.staff_change(staff, changed)
    end_sessions(staff_id)
    _audit_change(Action.STAFF_CHANGED, staff, actor, context, f"roles={_roles_text(new_roles)}")
    return changed


def staff_deactivate(
    staff_id: str, *, actor: SignedInStaff | None = None, context: RequestContext = SYSTEM_CONTEXT
) -> Staff:
    """Refuse sign-in and end every open session at once; the audit history stays."""
    staff = _staff_to_manage(staff_id, actor)
    changed = replace(staff, active=False)
    _keep_an_admin(staff, changed)
    if staff.active:
        repository.staff_change(staff, changed)
    end_sessions(staff_id)
    _audit_change(Action.STAFF_DEACTIVATED, staff, actor, context, "")
    return changed


def staff_reactivate(
    staff_id: str, *, actor: SignedInStaff | None = None, context: RequestContext = SYSTEM_CONTEXT
) -> Staff:
    staff = _staff_to_manage(staff_id, actor)
    changed = replace(staff, active=True)
    if not staff.active:
        repository.staff_change(staff, changed)
    _audit_change(Action.STAFF_REACTIVATED, staff, actor, context, "")
    return changed


def staff_reset(
    staff_id: str, *, actor: SignedInStaff | None = None, context: RequestContext = SYSTEM_CONTEXT
) -> str:
    """A new set-up link (24 hours): the password, second factors and open sessions end."""
    staff = _staff_to_manage(staff_id, actor)
    if not staff.active:
        raise Refused("Reactivate the account first.")
    key, token_hash, expires_at = _new_setup(staff_id)
    repository.staff_start_setup(staff_id, token_hash, expires_at)
    end_sessions(staff_id)
    _audit_change(Action.STAFF_RESET, staff, actor, context, "")
    return key


# --- Organizations and hospitals --------------------------------------------------------------
def organization_update(
    organization_id: str,
    *,
    name: str,
    clinicians_need_second_factor: bool,
    hospital_defaults_values: dict[str, Any],
    actor: SignedInStaff | None = None,
    context: RequestContext = SYSTEM_CONTEXT,
) -> Organization:
    organization = Organization(
        organization_id=organization_id,
        name=name,
        clinicians_need_second_factor=clinicians_need_second_factor,
        hospital_defaults={k: v for k, v in hospital_defaults_values.items() if v is not None},
    )
    repository.organization_put(organization)
    audit_record(
        hospital_id=account_partition(organization_id),
        actor=actor_of(actor) if actor else Actor.system(),
        action=Action.ORGANIZATION_CHANGED,
        context=context,
        detail=f"second_factor_for_clinicians={clinicians_need_second_factor}",
    )
    return organization


def hospital_create(
    *,
    slug: str,
    name: str,
    organization_id: str,
    timezone: str | None = None,
    hospital_id: str | None = None,
) -> Hospital:
    """A new hospital starts with its organization's defaults (the organization item is created
    when it is the first hospital of that organization id)."""
    organization = repository.organization_get(organization_id)
    if organization is None:
        organization = Organization(organization_id=organization_id, name=organization_id)
        try:
            repository.organization_put(organization, must_be_new=True)
        except DuplicateError:
            organization = organization_of(organization_id)
    values = hospital_defaults(organization.hospital_defaults)
    values["name"] = name
    if timezone:
        values["timezone"] = timezone
    hospital = Hospital(
        hospital_id=hospital_id or uuid.uuid4().hex,
        slug=slug,
        name=name,
        timezone=values["timezone"],
        organization_id=organization_id,
        wait_targets=values["wait_targets"],
        settings=values,
    )
    repository.hospital_insert(hospital)
    audit_record(
        hospital_id=hospital.hospital_id,
        actor=Actor.system(),
        action=Action.HOSPITAL_CREATED,
        context=SYSTEM_CONTEXT,
        detail=hospital.slug,
    )
    return hospital


def hospital_update(
    slug: str,
    values: dict[str, Any] | None = None,
    *,
    actor: SignedInStaff | None = None,
    context: RequestContext = SYSTEM_CONTEXT,
    **named: Any,
) -> Hospital:
    """Change settings (HOSPITAL_SETTINGS, by name; None leaves one as it is). An admin changes
    only hospitals they administer."""
    hospital = repository.hospital_get_by_slug(slug)
    if hospital is None:
        raise NotFound(slug)
    if actor is not None and not actor.has_role_at(hospital.hospital_id, Role.ADMIN):
        raise NotFound(slug)
    wanted = {**(values or {}), **named}
    unknown = set(wanted) - set(SETTINGS_BY_NAME)
    if unknown:
        raise ValueError(f"unknown settings: {sorted(unknown)}")
    changes = {k: v for k, v in wanted.items() if v is not None and v != ""}
    if "wait_targets" in changes:
        changes["wait_targets"] = tuple(changes["wait_targets"])
    if changes:
        repository.hospital_update(hospital.hospital_id, changes)
        selectors.forget_hospital(slug)  # this process sees the change at once
    audit_record(
        hospital_id=hospital.hospital_id,
        actor=actor_of(actor, hospital.hospital_id) if actor else Actor.system(),
        action=Action.HOSPITAL_CHANGED,
        context=context,
        detail=f"{hospital.slug} changed={','.join(sorted(changes)) or 'nothing'}",
    )
    settings_now = {**hospital.settings, **changes}
    return replace(
        hospital,
        name=settings_now["name"],
        timezone=settings_now["timezone"],
        wait_targets=settings_now["wait_targets"],
        settings=settings_now,
    )


# --- Demo data ----------------------------------------------------------------------------------
DEMO_ORGANIZATION = "demo-health"
DEMO_ORGANIZATION_NAME = "Solace Demo Health"
DEMO_HOSPITALS = (
    ("demo", "Solace Demo General", "America/New_York"),
    ("demo-north", "Solace Demo North", "America/New_York"),
)
DEMO_STAFF = (
    ("nurse@example.com", "Nora Nurse", {"demo": Role.NURSE}),
    (
        "physician@example.com",
        "Phil Physician",
        {"demo": Role.PHYSICIAN, "demo-north": Role.PHYSICIAN},
    ),
    ("charge@example.com", "Chandra Charge", {"demo": Role.CHARGE_NURSE, "demo-north": Role.NURSE}),
    ("admin@example.com", "Ada Admin", {"demo": Role.ADMIN, "demo-north": Role.ADMIN}),
)


def seed_demo(password: str, totp_secret: str) -> list[str]:
    """Create the demo organization, hospitals and staff when missing; the staff who need a
    second factor get TOTP with `totp_secret`. Idempotent; returns what it created."""
    validate_password(password, name="", email="")
    created = []
    hospital_ids = {}
    for slug, name, timezone in DEMO_HOSPITALS:
        hospital = repository.hospital_get_by_slug(slug)
        if hospital is None:
            try:
                hospital = hospital_create(
                    slug=slug, name=name, timezone=timezone, organization_id=DEMO_ORGANIZATION
                )
                created.append(f"hospital {slug}")
            except DuplicateError:  # created concurrently; the index catches up
                hospital = _wait_for_slug(slug)
        hospital_ids[slug] = hospital.hospital_id
    organization = organization_of(DEMO_ORGANIZATION)
    if organization.name != DEMO_ORGANIZATION_NAME:
        repository.organization_put(replace(organization, name=DEMO_ORGANIZATION_NAME))
    for email, name, roles in DEMO_STAFF:
        if repository.staff_get_by_email(email) is not None:
            continue
        try:
            staff, _ = staff_create(
                email=email,
                name=name,
                roles={hospital_ids[slug]: role for slug, role in roles.items()},
                password=password,
            )
        except DuplicateError:
            continue
        created.append(f"staff {email}")
        if second_factor_required(staff):
            step = int(clock.now_epoch()) // second_factors.TOTP_STEP_SECONDS
            repository.staff_enable_totp(staff.staff_id, totp_secret, clock.utc_now_iso(), step - 2)
            created.append(f"TOTP for {email}")
    return created


def _wait_for_slug(slug: str) -> Hospital:
    for _ in range(50):
        hospital = repository.hospital_get_by_slug(slug)
        if hospital is not None:
            return hospital
        time.sleep(0.1)
    raise NotFound(slug)


# --- Devices: waiting-room displays -------------------------------------------------------
DEVICE_SECRET_BYTES = 24


def device_create(
    *, hospital: Hospital, kind: DeviceKind, name: str, staff: SignedInStaff, context
) -> tuple[Device, str]:
    """A named device link of a hospital; returns the device and its secret (shown once in
    the link, stored only as a digest). Audited."""
    secret = secrets.token_urlsafe(DEVICE_SECRET_BYTES)
    device = Device(
        device_id=uuid.uuid4().hex,
        hospital_id=hospital.hospital_id,
        kind=kind,
        name=name,
        created_at=clock.utc_now_iso(),
        created_by=staff.staff_id,
        created_by_name=staff.name,
        secret_digest=_digest(secret),
    )
    repository.device_insert(device)
    audit_record(
        hospital_id=hospital.hospital_id,
        actor=actor_of(staff, hospital.hospital_id),
        action=Action.DEVICE_CREATED,
        context=context,
        detail=f"{kind.value}={device.device_id}",
    )
    return device, secret


def device_revoke(
    *, hospital: Hospital, device_id: str, kind: DeviceKind, staff: SignedInStaff, context
) -> Device | None:
    """Revoke a device link at once (None: no live device of this kind and hospital). Audited."""
    device = repository.device_revoke(
        device_id, hospital.hospital_id, kind, clock.utc_now_iso(), staff.name
    )
    if device is not None:
        audit_record(
            hospital_id=hospital.hospital_id,
            actor=actor_of(staff, hospital.hospital_id),
            action=Action.DEVICE_REVOKED,
            context=context,
            detail=f"{device.kind.value}={device.device_id}",
        )
    return device


def device_secret_matches(device: Device, secret: str) -> bool:
    return secrets.compare_digest(device.secret_digest, _digest(secret))
