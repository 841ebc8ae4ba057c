import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from accounts import repository, services
from accounts.domain import DuplicateError, NotFound, Role


class Command(BaseCommand):
    help = "Create a staff account. The password is prompted for and never echoed."

    def add_arguments(self, parser):
        parser.add_argument("--email")
        parser.add_argument("--name")
        parser.add_argument("--role", choices=[r.value for r in Role])
        parser.add_argument(
            "--hospital", action="append", default=[], help="hospital slug (repeatable)"
        )
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from stdin"
        )

    def handle(self, *args, **options):
        email = options["email"] or input("Email: ").strip()
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"not an email address: {email!r}") from exc
        name = options["name"] or input("Full name: ").strip()
        role = options["role"] or input(f"Role ({', '.join(r.value for r in Role)}): ").strip()
        if role not in {r.value for r in Role}:
            raise CommandError(f"unknown role {role!r}")
        slugs = options["hospital"] or input("Hospital slugs (comma separated): ").split(",")
        hospital_ids = []
        for slug in (s.strip() for s in slugs if s.strip()):
            hospital = repository.hospital_get_by_slug(slug)
            if hospital is None:
                raise CommandError(f"unknown hospital {slug!r}")
            hospital_ids.append(hospital.hospital_id)
        if not hospital_ids:
            raise CommandError("at least one hospital is required")
        password = self._password(options["password_stdin"])
        try:
            staff = services.staff_create(
                email=email,
                name=name,
                role=Role(role),
                hospital_ids=hospital_ids,
                password=password,
            )
        except (DuplicateError, NotFound) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"created {staff.role} {staff.email} id={staff.staff_id}")

    def _password(self, from_stdin: bool) -> str:
        if from_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if getpass.getpass("Password again: ") != password:
                raise CommandError("the passwords differ")
        if len(password) < 12:
            raise CommandError("the password needs at least 12 characters")
        return password
