from django import forms
from django.utils.translation import gettext_lazy as _

from solace.forms import Form


class SignInForm(Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    password = forms.CharField(
        label=_("Password"), max_length=256, strip=False, widget=forms.PasswordInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
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
