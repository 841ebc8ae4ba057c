import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from accounts import services
from accounts.domain import DuplicateError, NotFound, Refused
from accounts.management.commands._staff import (
    ROLE_VALUES,
    add_base_url_argument,
    base_url,
    hospital_roles,
    setup_link,
)


class Command(BaseCommand):
    help = (
        "Create a staff account with a role per hospital. Prints a one-time set-up link (24 "
        "hours) where the person chooses a password and enrols a second factor; with "
        "--password-stdin the password is read from stdin instead. The first admin of an "
        "organization: --admin --hospital <slug> (every hospital they administer)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email")
        parser.add_argument("--name")
        parser.add_argument("--role", choices=ROLE_VALUES, help="role at every --hospital given")
        parser.add_argument("--admin", action="store_true", help="same as --role admin")
        parser.add_argument(
            "--hospital",
            action="append",
            default=[],
            help="hospital slug, or slug:role (repeatable)",
        )
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from stdin"
        )
        add_base_url_argument(parser)

    def handle(self, *args, **options):
        email = options["email"] or input("Email: ").strip()
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"not an email address: {email!r}") from exc
        name = options["name"] or input("Full name: ").strip()
        if not name:
            raise CommandError("a name is required")
        role = "admin" if options["admin"] else options["role"]
        specs = options["hospital"] or [
            s for s in input("Hospitals (slug or slug:role, comma separated): ").split(",")
        ]
        specs = [s.strip() for s in specs if s.strip()]
        if not specs:
            raise CommandError("at least one hospital is required")
        roles = hospital_roles(specs, role)
        if any(r is None for r in roles.values()):
            raise CommandError("a new staff member needs a role at each hospital")
        password = sys.stdin.readline().rstrip("\n") if options["password_stdin"] else None
        try:
            staff, key = services.staff_create(
                email=email, name=name, roles=roles, password=password
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except (DuplicateError, NotFound, Refused) as exc:
            raise CommandError(str(exc)) from exc
        summary = ", ".join(f"{r.value}" for r in staff.roles.values())
        self.stdout.write(f"created {summary} {staff.email} id={staff.staff_id}")
        if key:
            link = setup_link(base_url(options["base_url"]), key)
            self.stdout.write(f"set-up link (valid 24 hours, shown once): {link}")
