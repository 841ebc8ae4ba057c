from django.core.management.base import BaseCommand

from audit.archive import drain_stream
from audit.archive_repository import ArchiveConfig, ArchiveStore
from solace.dynamodb import table_name
from solace.tables import AUDIT_LOG


class Command(BaseCommand):
    help = "Archive new audit entries from the audit-log stream to S3 (local stand-in for the "
    "archiver Lambda). Remembers its position per shard."

    def handle(self, *args, **options):
        store = ArchiveStore(ArchiveConfig.from_env())
        result = drain_stream(store, table_name(AUDIT_LOG))
        self.stdout.write(
            f"written {len(result.written)} objects, {len(result.already_there)} already "
            f"archived, {result.ignored} records ignored"
        )
