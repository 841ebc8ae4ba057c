from django import forms
from django.utils.translation import gettext_lazy as _


class AccessibleForm(forms.Form):
    """Ties each field's error message to its control (aria-invalid, aria-describedby)."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            described = [f"{self[name].auto_id}_errors"]
            if self.fields[name].help_text:
                described.insert(0, f"{self[name].auto_id}_helptext")
            widget.attrs.update({"aria-invalid": "true", "aria-describedby": " ".join(described)})


class SignInForm(AccessibleForm):
    email = forms.EmailField(label=_("Email"), max_length=254)
    password = forms.CharField(
        label=_("Password"), max_length=256, strip=False, widget=forms.PasswordInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})
