from zoneinfo import available_timezones

from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.domain import CallPlace, NotFound

MAX_CALL_PLACES = 30
MAX_PLACE_LENGTH = 40


def _call_places(text: str) -> tuple[CallPlace, ...]:
    """ "Triage desk|Mesa de triaje;Fast track|Vía rápida": English|Spanish, ';' between."""
    places = []
    for entry in text.split(";"):
        if not entry.strip():
            continue
        name, _, name_es = (part.strip() for part in entry.partition("|"))
        if not name or len(name) > MAX_PLACE_LENGTH or len(name_es) > MAX_PLACE_LENGTH:
            raise CommandError(f"a call place is 1 to {MAX_PLACE_LENGTH} characters: {entry!r}")
        places.append(CallPlace(name, name_es))
    if not places or len(places) > MAX_CALL_PLACES:
        raise CommandError(f"give 1 to {MAX_CALL_PLACES} call places")
    return tuple(places)


def _on_off(value: str) -> bool:
    if value not in ("on", "off"):
        raise CommandError("use on or off")
    return value == "on"


class Command(BaseCommand):
    help = "Change a hospital's name or settings."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name")
        parser.add_argument("--timezone")
        parser.add_argument(
            "--wait-targets",
            help="minutes before a long-wait alert for levels 1..5, e.g. 0,10,30,60,120",
        )
        parser.add_argument(
            "--temperature-unit", choices=["C", "F"], help="how staff pages show temperatures"
        )
        parser.add_argument(
            "--call-places",
            help="where staff call patients to, English|Spanish, separated by ';', "
            "e.g. 'Triage desk|Mesa de triaje;Registration desk|Mesa de registro'",
        )
        parser.add_argument(
            "--registrations-per-address",
            type=int,
            help="self-registrations allowed from one client address per window (0: no limit)",
        )
        parser.add_argument(
            "--registrations-per-hospital",
            type=int,
            help="self-registrations allowed for the hospital per window (0: no limit)",
        )
        parser.add_argument(
            "--registration-window-minutes", type=int, help="the limits' window, in minutes"
        )
        parser.add_argument(
            "--waiting-room-code",
            choices=["on", "off"],
            help="the form asks for the day's code shown on the waiting-room display",
        )

    def handle(self, *args, **options):
        targets = None
        if options["wait_targets"]:
            try:
                targets = [int(n) for n in options["wait_targets"].split(",")]
            except ValueError as exc:
                raise CommandError("wait targets are five whole numbers") from exc
            if len(targets) != 5 or any(t < 0 for t in targets):
                raise CommandError("wait targets are five whole numbers, 0 or more")
        if options["timezone"] and options["timezone"] not in available_timezones():
            raise CommandError(f"unknown time zone {options['timezone']!r}")
        for name in ("registrations_per_address", "registrations_per_hospital"):
            if options[name] is not None and not 0 <= options[name] <= 100_000:
                raise CommandError(f"--{name.replace('_', '-')} is 0 (no limit) to 100000")
        window = options["registration_window_minutes"]
        if window is not None and not 1 <= window <= 24 * 60:
            raise CommandError("--registration-window-minutes is 1 to 1440")
        try:
            hospital = services.hospital_update(
                options["slug"],
                name=options["name"],
                timezone=options["timezone"],
                wait_targets=targets,
                temperature_unit=options["temperature_unit"],
                call_places=_call_places(options["call_places"])
                if options["call_places"] is not None
                else None,
                registrations_per_address=options["registrations_per_address"],
                registrations_per_hospital=options["registrations_per_hospital"],
                registration_window_minutes=window,
                waiting_room_code=_on_off(options["waiting_room_code"])
                if options["waiting_room_code"]
                else None,
            )
        except NotFound as exc:
            raise CommandError(f"unknown hospital {options['slug']!r}") from exc
        places = "; ".join(
            f"{p.name}|{p.name_es}" if p.name_es else p.name for p in hospital.call_places
        )
        self.stdout.write(
            f"updated {hospital.slug}: wait targets {list(hospital.wait_targets)}, "
            f"call places {places}, registrations per {hospital.registration_window_minutes} "
            f"min: {hospital.registrations_per_address} per address, "
            f"{hospital.registrations_per_hospital} per hospital (0: no limit), "
            f"waiting-room code {'on' if hospital.waiting_room_code else 'off'}"
        )
