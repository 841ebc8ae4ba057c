from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.selectors import hospital_by_slug
from cockpit.simulation import simulate_shift

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def embedded_store() -> bool:
    """The store `make run` starts (moto on loopback): nothing real to spoil."""
    endpoint = settings.SOLACE_DYNAMODB_ENDPOINT
    return bool(endpoint) and urlsplit(endpoint).hostname in LOOPBACK


class Command(BaseCommand):
    help = (
        "Simulate the last N hours of an emergency department through the real services "
        "(arrivals, triage, rooms, staff, dispositions) on a simulated clock. Refuses any store "
        "but the embedded one unless --allow-remote."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hospital", required=True, help="the hospital's slug")
        parser.add_argument("--hours", type=float, default=4, help="hours before now (max 48)")
        parser.add_argument("--seed", type=int, help="repeat a run exactly")
        parser.add_argument(
            "--rate", type=float, default=1.0, help="arrivals relative to a mid-sized ED"
        )
        parser.add_argument(
            "--allow-remote",
            action="store_true",
            help="run against a store that is not the embedded one (it writes real-looking data)",
        )

    def handle(self, *args, **options):
        if not options["allow_remote"] and not embedded_store():
            raise CommandError(
                "simulate_shift writes a whole department of made-up patients: it runs only "
                "against the embedded store of `make run`. Add --allow-remote to run it against "
                f"{settings.SOLACE_DYNAMODB_ENDPOINT or 'AWS DynamoDB'} anyway."
            )
        if not 0 < options["hours"] <= 48:
            raise CommandError("--hours is more than 0 and at most 48")
        if not 0 < options["rate"] <= 20:
            raise CommandError("--rate is more than 0 and at most 20")
        hospital = hospital_by_slug(options["hospital"])
        if hospital is None:
            raise CommandError(f"unknown hospital {options['hospital']!r}")
        report = simulate_shift(
            hospital, hours=options["hours"], seed=options["seed"], rate=options["rate"]
        )
        self.stdout.write(
            f"simulated {options['hours']:g} h at {hospital.slug}: {report.arrivals} arrivals, "
            f"{report.triaged} triaged, {report.roomed} roomed, {report.discharged} discharged, "
            f"{report.admitted} admitted, {report.left_without_being_seen} left without being "
            f"seen, {report.other_ends} other ends; {report.in_department} in the department now "
            f"({report.actions} steps, {report.skipped} skipped)"
        )
