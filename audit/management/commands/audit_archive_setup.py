from django.core.management.base import BaseCommand, CommandError

from audit.archive_repository import ArchiveConfig, ArchiveStore, KeyUnusable


class Command(BaseCommand):
    help = (
        "Create the archive bucket, and the CMK when SOLACE_KMS_KEY_ID is a missing alias, on "
        "a local store (make run); a key id or ARN must name an existing key."
    )

    def handle(self, *args, **options):
        store = ArchiveStore(ArchiveConfig.from_env())
        try:
            key = store.ensure_kms_key()
        except KeyUnusable as exc:
            raise CommandError(str(exc)) from exc
        store.ensure_bucket()
        self.stdout.write(f"archive bucket {store.config.bucket} ready, key {key}")
