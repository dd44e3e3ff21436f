"""Model validation with French messages, visibility querysets."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from directory.models import Person, Structure


def errors_of(structure) -> dict:
    with pytest.raises(ValidationError) as caught:
        structure.full_clean(exclude=["memberships", "skills", "sectors"])
    return caught.value.message_dict


def valid_structure(**fields):
    return Structure(**{"name": "Coop", "slug": "coop", "category": "collectif", **fields})


@pytest.mark.django_db
def test_valid_structure_passes():
    valid_structure(latitude=50.6, longitude=3.06, postcode="59000", website="https://coop.example").full_clean(
        exclude=["memberships", "skills", "sectors"]
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"latitude": 91, "longitude": 3}, "latitude", "La latitude doit être comprise entre -90 et 90 (reçu : 91)."),
        (
            {"latitude": 50, "longitude": -181},
            "longitude",
            "La longitude doit être comprise entre -180 et 180 (reçu : -181).",
        ),
        ({"latitude": 50.6}, "longitude", "Indiquez la latitude et la longitude ensemble, ou aucune des deux."),
        ({"email": "contact@"}, "email", "Saisissez une adresse de courriel valide."),
        ({"website": "www.coop"}, "website", "Saisissez une URL valide."),
        (
            {"postcode": "59 000"},
            "postcode",
            "Le code postal doit comporter 5 chiffres (France) ou 4 chiffres (Belgique), par exemple 59000.",
        ),
        (
            {"phone": "appelez-nous"},
            "phone",
            "Le numéro de téléphone n’est pas valide (chiffres, espaces, points, tirets et « + » seulement).",
        ),
        (
            {"summary": "é" * 301},
            "summary",
            "Assurez-vous que cette valeur comporte au plus 300 caractères (actuellement 301).",
        ),
        ({"founded": 1700}, "founded", "L’année de création doit être comprise entre 1800 et 2100 (reçu : 1700)."),
        ({"category": "autre"}, "category", "La valeur «\xa0'autre'\xa0» n’est pas un choix valide."),
    ],
    ids=[
        "latitude",
        "longitude",
        "lat-without-lon",
        "email",
        "url",
        "postcode",
        "phone",
        "summary",
        "founded",
        "category",
    ],
)
def test_invalid_structure_fields_have_french_messages(fields, field, message):
    assert errors_of(valid_structure(**fields))[field] == [message]


@pytest.mark.django_db
def test_slug_is_unique_with_a_french_message(make_structure):
    make_structure(slug="coop")

    assert errors_of(valid_structure(slug="coop"))["slug"] == [
        "Une structure utilise déjà cet identifiant : choisissez-en un autre."
    ]
    with pytest.raises(IntegrityError):
        Structure.objects.create(name="Doublon", slug="coop", category="collectif")


@pytest.mark.django_db
def test_database_refuses_out_of_range_coordinates():
    with pytest.raises(IntegrityError):
        Structure.objects.create(name="Loin", slug="loin", category="collectif", latitude=120, longitude=3)


@pytest.mark.django_db
def test_public_querysets_hide_drafts_and_non_consenting_people(make_structure):
    live = make_structure(people=[("Alice", "Publique", True), ("Bruno", "Secret", False)])
    make_structure(slug="brouillon", live=False)

    assert list(Structure.objects.public()) == [live]
    assert [p.first_name for p in Structure.objects.public().with_related().get().get_public_people()] == ["Alice"]
    assert list(Person.objects.public().values_list("first_name", flat=True)) == ["Alice"]
