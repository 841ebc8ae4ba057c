"""Password rules, applied on every password set (set-up link, operator commands, demo data):
Django's validators (AUTH_PASSWORD_VALIDATORS in settings) plus a rule against long runs of one
character."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.auth import password_validation
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_RUN = 3


class RepeatedCharacterValidator:
    """No character more than `max_run` times in a row ("aaaaaaaaaaaa", "passsss1234")."""

    def __init__(self, max_run: int = MAX_RUN):
        self.max_run = max_run
        self._pattern = re.compile(rf"(.)\1{{{max_run},}}", re.S)

    def validate(self, password, user=None):
        if self._pattern.search(password):
            raise ValidationError(self.get_help_text(), code="password_repeated_characters")

    def get_help_text(self):
        return ngettext(
            "Do not repeat a character more than %(n)d time in a row.",
            "Do not repeat a character more than %(n)d times in a row.",
            self.max_run,
        ) % {"n": self.max_run}


class _NoModelFields:
    def get_field(self, name):
        raise FieldDoesNotExist(name)


@dataclass(frozen=True)
class PasswordOwner:
    """What the similarity validator compares a password with (there is no user model)."""

    name: str
    email: str
    _meta = _NoModelFields()


def validate_password(password: str, *, name: str, email: str) -> None:
    """ValidationError with every rule the password breaks."""
    password_validation.validate_password(password, PasswordOwner(name=name, email=email))


def password_help() -> list[str]:
    return [_(text) for text in password_validation.password_validators_help_texts()]
