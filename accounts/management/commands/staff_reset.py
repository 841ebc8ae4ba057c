from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.domain import Refused
from accounts.management.commands._staff import (
    add_base_url_argument,
    base_url,
    setup_link,
    staff_by_email,
)


class Command(BaseCommand):
    help = (
        "A new set-up link for a staff member (lost password or second factor): their password, "
        "second factors and open sessions end; the link works once, for 24 hours."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        add_base_url_argument(parser)

    def handle(self, *args, **options):
        staff = staff_by_email(options["email"])
        try:
            key = services.staff_reset(staff.staff_id)
        except Refused as exc:
            raise CommandError(str(exc)) from exc
        link = setup_link(base_url(options["base_url"]), key)
        self.stdout.write(f"set-up link for {staff.email} (valid 24 hours, shown once): {link}")
