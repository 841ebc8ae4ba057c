import secrets

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts import services


class Command(BaseCommand):
    help = "Create the demo hospitals and staff when missing (idempotent)."

    def handle(self, *args, **options):
        password = settings.SOLACE_DEMO_PASSWORD
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        created = services.seed_demo(password)
        for line in created:
            self.stdout.write(f"created {line}")
        if not created:
            self.stdout.write("demo data already present")
        elif generated:
            self.stdout.write(
                self.style.WARNING(f"demo staff password (SOLACE_DEMO_PASSWORD unset): {password}")
            )
