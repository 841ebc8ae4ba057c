from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.domain import NotFound
from accounts.hospital_settings import HOSPITAL_SETTINGS


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


_ALIASES = {"timezone": ("--time-zone",)}


class Command(BaseCommand):
    help = (
        "Change a hospital's settings (the same ones, and the same checks, as the admin page "
        "/admin/hospitals/<slug>/): " + ", ".join(_flag(s.name) for s in HOSPITAL_SETTINGS) + "."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        for setting in HOSPITAL_SETTINGS:
            flags = [_flag(setting.name), *_ALIASES.get(setting.name, ())]
            parser.add_argument(*flags, dest=setting.name, help=setting.help)

    def handle(self, *args, **options):
        values = {}
        for setting in HOSPITAL_SETTINGS:
            text = options[setting.name]
            if text is None:
                continue
            try:
                values[setting.name] = setting.clean(text)
            except ValidationError as exc:
                raise CommandError(f"{_flag(setting.name)}: {' '.join(exc.messages)}") from exc
        try:
            hospital = services.hospital_update(options["slug"], values)
        except NotFound as exc:
            raise CommandError(f"unknown hospital {options['slug']!r}") from exc
        shown = ", ".join(
            f"{s.name}={list(v) if isinstance(v, tuple) else v!r}"
            for s in HOSPITAL_SETTINGS
            for v in [hospital.settings[s.name]]
        )
        self.stdout.write(f"updated {hospital.slug}: {shown}")
