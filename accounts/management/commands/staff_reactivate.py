from django.core.management.base import BaseCommand

from accounts import services
from accounts.management.commands._staff import staff_by_email


class Command(BaseCommand):
    help = "Reactivate a deactivated staff account (with its roles as they were)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, **options):
        staff = staff_by_email(options["email"])
        services.staff_reactivate(staff.staff_id)
        self.stdout.write(f"reactivated {staff.email}")
