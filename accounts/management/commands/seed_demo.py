import secrets

import pyotp
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import services


class Command(BaseCommand):
    help = (
        "Create the demo organization, hospitals and staff when missing (idempotent). The demo "
        "staff who need a second factor (the admin) get TOTP with SOLACE_DEMO_TOTP_SECRET."
    )

    def handle(self, *args, **options):
        password = settings.SOLACE_DEMO_PASSWORD
        totp_secret = settings.SOLACE_DEMO_TOTP_SECRET.replace(" ", "").upper()
        generated_password = not password
        generated_secret = not totp_secret
        if generated_password:
            password = secrets.token_urlsafe(12)
        if generated_secret:
            totp_secret = pyotp.random_base32()
        try:
            pyotp.TOTP(totp_secret).now()
        except Exception as exc:
            raise CommandError("SOLACE_DEMO_TOTP_SECRET must be base32 (A-Z, 2-7)") from exc
        try:
            created = services.seed_demo(password, totp_secret)
        except ValidationError as exc:
            raise CommandError("SOLACE_DEMO_PASSWORD: " + " ".join(exc.messages)) from exc
        for line in created:
            self.stdout.write(f"created {line}")
        if not created:
            self.stdout.write("demo data already present")
            return
        if generated_password:
            self.stdout.write(
                self.style.WARNING(f"demo staff password (SOLACE_DEMO_PASSWORD unset): {password}")
            )
        if generated_secret and any(line.startswith("TOTP") for line in created):
            self.stdout.write(
                self.style.WARNING(
                    f"demo TOTP secret (SOLACE_DEMO_TOTP_SECRET unset): {totp_secret}  "
                    "(add it to an authenticator app; admin@example.com needs a code)"
                )
            )
