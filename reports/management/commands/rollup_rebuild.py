from datetime import date

from django.core.management.base import BaseCommand, CommandError

from accounts.selectors import hospital_by_slug
from reports.forms import MAX_RANGE_DAYS
from reports.services import rollup_rebuild

MAX_REBUILD_DAYS = 4 * MAX_RANGE_DAYS


class Command(BaseCommand):
    help = (
        "Rebuild a hospital's ED operations rollups from the encounters, for arrival dates "
        "(the hospital's time zone) from --from to --to: a backfill after a fix or a restore."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hospital", required=True, help="the hospital's slug")
        parser.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD")

    def handle(self, *args, **options):
        try:
            start, end = date.fromisoformat(options["start"]), date.fromisoformat(options["end"])
        except ValueError as exc:
            raise CommandError("--from and --to must be dates, YYYY-MM-DD") from exc
        if start > end:
            raise CommandError("--from is after --to")
        if (end - start).days + 1 > MAX_REBUILD_DAYS:
            raise CommandError(f"rebuild at most {MAX_REBUILD_DAYS} days at a time")
        hospital = hospital_by_slug(options["hospital"])
        if hospital is None:
            raise CommandError(f"no hospital with the slug {options['hospital']!r}")
        result = rollup_rebuild(hospital, start, end)
        self.stdout.write(
            f"{hospital.slug} {start} to {end}: {result.visits} registrations rebuilt, "
            f"{len(result.days)} days with visits"
        )
