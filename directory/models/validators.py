"""Validators with French messages, shared by models, forms and the CSV import."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

postcode_validator = RegexValidator(
    r"^(\d{5}|\d{4})$",
    "Le code postal doit comporter 5 chiffres (France) ou 4 chiffres (Belgique), par exemple 59000.",
    code="invalid_postcode",
)

phone_validator = RegexValidator(
    r"^\+?[0-9 .\-()]{6,20}$",
    "Le numéro de téléphone n’est pas valide (chiffres, espaces, points, tirets et « + » seulement).",
    code="invalid_phone",
)


def validate_latitude(value):
    if value is not None and not -90 <= value <= 90:
        raise ValidationError(
            "La latitude doit être comprise entre -90 et 90 (reçu : %(value)s).",
            params={"value": f"{value:g}"},
            code="latitude_range",
        )


def validate_longitude(value):
    if value is not None and not -180 <= value <= 180:
        raise ValidationError(
            "La longitude doit être comprise entre -180 et 180 (reçu : %(value)s).",
            params={"value": f"{value:g}"},
            code="longitude_range",
        )


def validate_founded_year(value):
    if value is not None and not 1800 <= value <= 2100:
        raise ValidationError(
            "L’année de création doit être comprise entre 1800 et 2100 (reçu : %(value)s).",
            params={"value": value},
            code="founded_range",
        )
