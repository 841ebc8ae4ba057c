from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.domain import Refused
from accounts.management.commands._staff import staff_by_email


class Command(BaseCommand):
    help = "Deactivate a staff account: sign-in refused, every open session ended at once."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, **options):
        staff = staff_by_email(options["email"])
        try:
            services.staff_deactivate(staff.staff_id)
        except Refused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"deactivated {staff.email}")
