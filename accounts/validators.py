from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = [str.islower, str.isupper, str.isdigit, lambda character: not character.isalnum()]


class CharacterClassesValidator:
    """A password mixes at least three of: small letters, capitals, digits, symbols."""

    def __init__(self, minimum=3):
        self.minimum = minimum

    def validate(self, password, user=None):
        used = sum(any(test(character) for character in password) for test in CLASSES)
        if used < self.minimum:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _(
            "Your password must mix at least %(minimum)d of: small letters, capital letters, "
            "digits and symbols."
        ) % {"minimum": self.minimum}
