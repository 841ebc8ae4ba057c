from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from accounts.selectors import hospital_by_slug
from reports import demo, repository, selectors
from reports.services import rollup_drain


class Command(BaseCommand):
    help = (
        "Write weeks of plausible, finished ED visits (timelines included) for a demo hospital, "
        "so /reports/ has history to show. Demo and benchmark data only: no audit entries. "
        "They are put on /reports/ at once. Locally (no rollup Lambda), the stream is drained "
        "first and the local rollup's position then moved past these records."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hospital", required=True, help="the hospital's slug")
        parser.add_argument("--days", type=int, default=28, help="days before today (default 28)")
        parser.add_argument("--per-day", type=int, default=60, help="visits a day (default 60)")
        parser.add_argument("--seed", type=int, default=16)

    def handle(self, *args, **options):
        if not 1 <= options["days"] <= 366 or not 1 <= options["per_day"] <= 1000:
            raise CommandError("--days is 1 to 366 and --per-day 1 to 1000")
        hospital = hospital_by_slug(options["hospital"])
        if hospital is None:
            raise CommandError(f"no hospital with the slug {options['hospital']!r}")
        today = selectors.local_today(hospital)
        start = today - timedelta(days=options["days"])
        history = demo.make_history(hospital, start, today, options["per_day"], options["seed"])
        rollup_drain()  # nothing real is skipped below
        demo.write_history(history)
        rolled = demo.roll_up_history(hospital, history)
        repository.skip_to_end()
        self.stdout.write(
            f"{hospital.slug}: {len(history.patients)} visits from {start} to {today} "
            f"({len(history.events)} events), {rolled} on /reports/"
        )
