from zoneinfo import available_timezones

from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.domain import NotFound


class Command(BaseCommand):
    help = "Change a hospital's name, time zone, long-wait or reassessment targets, or unit."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name")
        parser.add_argument(
            "--time-zone", "--timezone", dest="timezone", help="IANA name, e.g. America/New_York"
        )
        parser.add_argument(
            "--wait-targets",
            help="minutes before a long-wait alert for levels 1..5, e.g. 0,10,30,60,120",
        )
        parser.add_argument(
            "--reassessment-targets",
            help="minutes between reassessments of a waiting patient for levels 1..5, "
            "e.g. 5,15,30,60,120",
        )
        parser.add_argument(
            "--temperature-unit", choices=["C", "F"], help="how staff pages show temperatures"
        )

    def handle(self, *args, **options):
        targets = _five_minutes(options["wait_targets"], "wait targets", minimum=0)
        reassess = _five_minutes(options["reassessment_targets"], "reassessment targets", minimum=1)
        if options["timezone"] and options["timezone"] not in available_timezones():
            raise CommandError(f"unknown time zone {options['timezone']!r}")
        try:
            hospital = services.hospital_update(
                options["slug"],
                name=options["name"],
                timezone=options["timezone"],
                wait_targets=targets,
                temperature_unit=options["temperature_unit"],
                reassessment_targets=reassess,
            )
        except NotFound as exc:
            raise CommandError(f"unknown hospital {options['slug']!r}") from exc
        self.stdout.write(
            f"updated {hospital.slug}: time zone {hospital.timezone}, wait targets "
            f"{list(hospital.wait_targets)}, reassessment targets "
            f"{list(hospital.reassessment_targets)}"
        )


def _five_minutes(text: str | None, what: str, *, minimum: int) -> list[int] | None:
    if not text:
        return None
    try:
        minutes = [int(n) for n in text.split(",")]
    except ValueError as exc:
        raise CommandError(f"{what} are five whole numbers") from exc
    if len(minutes) != 5 or any(m < minimum for m in minutes):
        raise CommandError(f"{what} are five whole numbers, {minimum} or more")
    return minutes
