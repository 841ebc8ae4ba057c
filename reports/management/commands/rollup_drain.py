from django.core.management.base import BaseCommand

from reports.services import rollup_drain


class Command(BaseCommand):
    help = (
        "Apply new records of the encounters stream to the ED operations rollups (the local "
        "stand-in for the rollup Lambda). Remembers its position per shard."
    )

    def handle(self, *args, **options):
        result = rollup_drain()
        self.stdout.write(
            f"{result.records} stream records: {result.visits} visits refreshed, "
            f"{len(result.days)} days recomputed, {result.ignored} records ignored"
        )
