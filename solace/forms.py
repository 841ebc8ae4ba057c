"""Form plumbing shared by every app: one field template, and text that is safe to store."""

from __future__ import annotations

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _


class FormRenderer(TemplatesSetting):
    """Every `{{ field.as_field_group }}` renders through one template (label, control, help and
    error tied together by Django's aria-describedby)."""

    field_template_name = "solace/field.html"


# Characters that make stored text display as something else, or as nothing: bidirectional
# controls, the byte-order mark, invisible fillers (U+3164 looks like a space but is a letter),
# line and paragraph separators. Tag characters (U+E0000..) are refused by their category.
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e\u034f\u17b4\u17b5")
_WORD_JOINERS = frozenset("\u200c\u200d")  # ZWNJ/ZWJ: part of Persian and Indic spelling
_ZWJ = "\u200d"
_VIRAMA = 9  # canonical combining class of the Indic viramas
_LINE_BREAKS = frozenset("\n\r\t")


def _is_letter(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LM"


def _joiner_in_word(text: str, i: int) -> bool:
    """ZWNJ/ZWJ between two letters (or marks) of a word, as in Persian علی‌زاده or Devanagari
    र्‍; a ZWJ may also end a word after a virama (Malayalam chillu: ണ്‍)."""
    if i == 0 or not _is_letter(text[i - 1]):
        return False
    if i + 1 < len(text) and _is_letter(text[i + 1]):
        return True
    return text[i] == _ZWJ and unicodedata.combining(text[i - 1]) == _VIRAMA


def unsafe_characters(text: str, *, multiline: bool = False) -> list[str]:
    """The characters of `text` that must not be stored, as U+XXXX names (empty: text is fine).

    Refused: control characters (multi-line answers keep line breaks and tabs), format
    characters (bidi controls, U+FEFF, tags), line and paragraph separators, fillers and other
    invisible letters, private-use, unassigned and replacement characters; ZWNJ/ZWJ only inside
    a word. Other spaces (no-break, ideographic) are kept; names collapse them to one space.
    """
    refused = []
    for i, ch in enumerate(text):
        category = unicodedata.category(ch)
        if ch in _WORD_JOINERS:
            if _joiner_in_word(text, i):
                continue
        elif (multiline and ch in _LINE_BREAKS) or (
            ch not in _FILLERS
            and ch != "\ufffd"
            and category not in ("Cc", "Cf", "Co", "Cn", "Zl", "Zp")
        ):
            continue
        refused.append(f"U+{ord(ch):04X}")
    return refused


class CleanText(forms.CharField):
    """Text stored in NFC, stripped, with invisible and control characters refused (never
    silently dropped: the person sees what was wrong)."""

    def __init__(self, *args, multiline: bool = False, **kwargs):
        self.multiline = multiline
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return unicodedata.normalize("NFC", value) if value else value

    def validate(self, value):
        super().validate(value)
        if value and unsafe_characters(value, multiline=self.multiline):
            raise ValidationError(
                _("Please remove the special characters from this answer."),
                code="control",
            )


class Form(forms.Form):
    """Required fields are marked in their label (the CSS adds the visible asterisk)."""

    required_css_class = "required"
