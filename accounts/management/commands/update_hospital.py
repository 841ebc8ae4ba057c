from zoneinfo import available_timezones

from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.domain import NotFound


class Command(BaseCommand):
    help = "Change a hospital's name, time zone or long-wait targets."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name")
        parser.add_argument("--timezone")
        parser.add_argument(
            "--wait-targets",
            help="minutes before a long-wait alert for levels 1..5, e.g. 0,10,30,60,120",
        )
        parser.add_argument(
            "--temperature-unit", choices=["C", "F"], help="how staff pages show temperatures"
        )

    def handle(self, *args, **options):
        targets = None
        if options["wait_targets"]:
            try:
                targets = [int(n) for n in options["wait_targets"].split(",")]
            except ValueError as exc:
                raise CommandError("wait targets are five whole numbers") from exc
            if len(targets) != 5 or any(t < 0 for t in targets):
                raise CommandError("wait targets are five whole numbers, 0 or more")
        if options["timezone"] and options["timezone"] not in available_timezones():
            raise CommandError(f"unknown time zone {options['timezone']!r}")
        try:
            hospital = services.hospital_update(
                options["slug"],
                name=options["name"],
                timezone=options["timezone"],
                wait_targets=targets,
                temperature_unit=options["temperature_unit"],
            )
        except NotFound as exc:
            raise CommandError(f"unknown hospital {options['slug']!r}") from exc
        self.stdout.write(f"updated {hospital.slug}: wait targets {list(hospital.wait_targets)}")
