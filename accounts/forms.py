from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.passwords import password_help
from solace.forms import Form


class SignInForm(Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    password = forms.CharField(
        label=_("Password"), max_length=256, strip=False, widget=forms.PasswordInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update(
            {"autocomplete": "username webauthn", "autofocus": True}
        )
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class UnlockForm(Form):
    """Re-enter the password to open a locked screen (passkeys come later)."""

    password = forms.CharField(
        label=_("Password"), max_length=256, strip=False, widget=forms.PasswordInput
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "unlock-%s")
        super().__init__(*args, **kwargs)
        self.fields["password"].widget.attrs.update(
            {"autocomplete": "current-password", "autofocus": True}
        )


class CodeForm(Form):
    """The second step of sign-in (and TOTP enrolment): one plain `code` field, so scripts can
    sign in too."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6-digit code from your authenticator app, or a recovery code."),
    )

    def __init__(self, *args, help_text=None, **kwargs):
        super().__init__(*args, **kwargs)
        attrs = {"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}
        self.fields["code"].widget.attrs.update(attrs)
        if help_text is not None:
            self.fields["code"].help_text = help_text


class SetPasswordForm(Form):
    password = forms.CharField(
        label=_("New password"), max_length=256, strip=False, widget=forms.PasswordInput
    )
    password_again = forms.CharField(
        label=_("New password again"), max_length=256, strip=False, widget=forms.PasswordInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = " ".join(password_help())
        for name in ("password", "password_again"):
            self.fields[name].widget.attrs["autocomplete"] = "new-password"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") and cleaned.get("password") != cleaned.get("password_again"):
            raise ValidationError(_("The two passwords differ."))
        return cleaned


class ReauthenticateForm(Form):
    password = forms.CharField(
        label=_("Password"), max_length=256, strip=False, widget=forms.PasswordInput
    )
