from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.domain import NotFound, Refused
from accounts.management.commands._staff import hospital_roles, staff_by_email


class Command(BaseCommand):
    help = (
        "Change a staff member's roles: --hospital slug:role sets the role there, slug:none "
        "takes the hospital away; other hospitals keep theirs. Open sessions end."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--hospital", action="append", default=[], required=True)

    def handle(self, *args, **options):
        staff = staff_by_email(options["email"])
        roles = hospital_roles(options["hospital"], None)
        try:
            changed = services.staff_change_roles(staff.staff_id, roles)
        except (NotFound, Refused) as exc:
            raise CommandError(str(exc)) from exc
        summary = ", ".join(f"{h}:{r.value}" for h, r in sorted(changed.roles.items()))
        self.stdout.write(f"{changed.email}: {summary}")
