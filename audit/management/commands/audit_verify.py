from datetime import date

from django.core.management.base import BaseCommand, CommandError

from audit import repository
from audit.archive import verify_day
from audit.archive_repository import ArchiveConfig, ArchiveStore


class Command(BaseCommand):
    help = "Compare one hospital's audit entries of one day (UTC) with the S3 archive."

    def add_arguments(self, parser):
        parser.add_argument("--hospital", required=True, help="hospital id (or org:<id>)")
        parser.add_argument("--date", required=True, help="YYYY-MM-DD (UTC)")

    def handle(self, *args, **options):
        try:
            day = date.fromisoformat(options["date"]).isoformat()
        except ValueError as exc:
            raise CommandError("--date must be YYYY-MM-DD") from exc
        hospital = options["hospital"]
        event_ids = repository.event_ids_of_day(hospital, day)
        result = verify_day(ArchiveStore(ArchiveConfig.from_env()), hospital, day, event_ids)
        self.stdout.write(
            f"{hospital} {day}: {result.in_table} entries in DynamoDB, "
            f"{result.in_archive} in the archive"
        )
        for event_id in result.missing:
            self.stdout.write(f"missing    {event_id}")
        for event_id in result.duplicated:
            self.stdout.write(f"duplicated {event_id}")
        if not result.ok:
            raise CommandError(
                f"{len(result.missing)} missing, {len(result.duplicated)} duplicated"
            )
        self.stdout.write("archive complete: nothing missing or duplicated")
