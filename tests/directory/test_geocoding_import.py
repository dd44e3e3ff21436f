"""An import places every structure that has an address, and its report says how."""

import pytest
from django.core.cache import cache

from directory.importing import import_directory
from directory.models import Structure

HEADER = (
    "slug,name,category,legal_form,membership,summary,description,skills,sectors,address,postcode,city,"
    "latitude,longitude,website,email,phone,founded,joined\n"
)
ROWS = (
    "soleil,Soleil du Nord,collectif,,,,,,,12 rue Pierre Legrand,59800,Lille,50.6311,3.0839,,,,,\n"
    "bois,Atelier Bois,individuel,,,,,,,3 rue de Lannoy,59100,Roubaix,,,,,,,\n"
    "loin,Coop Lointaine,collectif,,,,,,,,13001,Marseille,,,,,,,\n"
)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.mark.django_db
def test_import_reports_how_each_structure_was_placed():
    report = import_directory(structures=("structures.csv", (HEADER + ROWS).encode()))

    assert report.locations == [
        ("Soleil du Nord", "coordonnées du fichier"),
        ("Atelier Bois", "au centre de la commune (table hors ligne) — approximative"),
        ("Coop Lointaine", "introuvable : adresse inconnue, pas sur la carte"),
    ]
    assert (
        report.summary_lines()[-1]
        == "Positions : 1 approximative(s) (rue ou centre de la commune), 1 du fichier, 1 introuvable(s)"
    )
    placed = {s.slug: s for s in Structure.objects.all()}
    assert (placed["soleil"].latitude, placed["soleil"].location_source) == (50.6311, "import")
    assert (placed["bois"].latitude, placed["bois"].longitude, placed["bois"].location_precision) == (
        50.6942,
        3.1746,
        "municipality",
    )
    assert placed["loin"].latitude is None


@pytest.mark.django_db
def test_reimporting_changes_no_point():
    import_directory(structures=("structures.csv", (HEADER + ROWS).encode()))
    before = list(Structure.objects.order_by("slug").values_list("slug", "latitude", "longitude", "location_source"))

    report = import_directory(structures=("structures.csv", (HEADER + ROWS).encode()))

    assert report.count("structures", "unchanged") == 3
    assert [how for _name, how in report.locations] == ["introuvable : adresse inconnue, pas sur la carte"]
    assert (
        list(Structure.objects.order_by("slug").values_list("slug", "latitude", "longitude", "location_source"))
        == before
    )
