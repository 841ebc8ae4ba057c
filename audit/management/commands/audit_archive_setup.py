from django.core.management.base import BaseCommand

from audit.archive_repository import ArchiveConfig, ArchiveStore


class Command(BaseCommand):
    help = "Create the archive bucket and the CMK alias on the embedded store (make run)."

    def handle(self, *args, **options):
        store = ArchiveStore(ArchiveConfig.from_env())
        alias = store.ensure_kms_alias()
        store.ensure_bucket()
        self.stdout.write(f"archive bucket {store.config.bucket} ready, key {alias}")
