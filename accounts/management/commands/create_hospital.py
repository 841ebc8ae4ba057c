from zoneinfo import available_timezones

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from accounts import services
from accounts.domain import DuplicateError


class Command(BaseCommand):
    help = "Create a hospital (prompts for anything not given as a flag)."

    def add_arguments(self, parser):
        parser.add_argument("--slug")
        parser.add_argument("--name")
        parser.add_argument("--timezone")
        parser.add_argument("--organization", help="organization id shared by sister hospitals")

    def handle(self, *args, **options):
        name = options["name"] or input("Name: ").strip()
        slug = options["slug"] or input(f"Slug [{slugify(name)}]: ").strip() or slugify(name)
        timezone = options["timezone"] or input("Time zone [UTC]: ").strip() or "UTC"
        organization = options["organization"] or input("Organization id: ").strip()
        if not name or not organization:
            raise CommandError("name and organization are required")
        if slug != slugify(slug):
            raise CommandError(f"slug must look like {slugify(slug)!r}")
        if timezone not in available_timezones():
            raise CommandError(f"unknown time zone {timezone!r}")
        try:
            hospital = services.hospital_create(
                slug=slug, name=name, timezone=timezone, organization_id=organization
            )
        except DuplicateError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"created hospital {hospital.slug} id={hospital.hospital_id}")
