"""People's names as the other person will see them: one normalisation for every way in
(sign-up, the wizard, the invitation page, the API)."""

import unicodedata

from django import forms

# Invisible, or able to disguise the text around them: zero-width spaces, bidi embeddings,
# overrides and isolates (U+202A-U+202E, U+2066-U+2069), soft hyphens, control characters.
_HIDDEN_CATEGORIES = {"Cf", "Cc", "Co", "Cs", "Cn"}
# Letters by category that draw nothing at all.
_BLANK_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}
# Joiners shape letters in Persian, Indic scripts and emoji, so they stay inside a word.
_JOINERS = "\u200c\u200d"
# A name needs at least one letter, digit, symbol or punctuation mark to be seen.
_VISIBLE_CATEGORIES = ("L", "N", "S", "P")

EMPTY_NAME_MESSAGE = "Enter a name made of visible letters."


def _kept(char: str) -> bool:
    if char.isspace() or char in _JOINERS:
        return True
    return unicodedata.category(char) not in _HIDDEN_CATEGORIES and char not in _BLANK_LETTERS


def normalise_name(value: str) -> str:
    """NFC, without invisible or direction-changing characters, single spaces between words.
    Returns "" when nothing visible is left: callers refuse it with EMPTY_NAME_MESSAGE."""
    text = unicodedata.normalize("NFC", "".join(char for char in value if _kept(char)))
    words = (word.strip(_JOINERS) for word in text.split())
    name = " ".join(word for word in words if word)
    if not any(unicodedata.category(char).startswith(_VISIBLE_CATEGORIES) for char in name):
        return ""
    return name


class NameField(forms.CharField):
    """A form field for a person's name, normalised, refused when nothing visible is left."""

    def to_python(self, value: object) -> str:
        text = super().to_python(value)
        if text in self.empty_values:
            return text
        name = normalise_name(text)
        if not name:
            raise forms.ValidationError(EMPTY_NAME_MESSAGE, code="invisible")
        return name
