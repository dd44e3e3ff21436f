"""Lists sort the French way on SQLite and PostgreSQL: accents and case only break ties."""

import pytest

from directory.models import Sector, Skill, Structure
from lagrappe.collation import french_sort_key

NAMES = ["Zèbre Coop", "Vélo Nord", "Éolien Citoyen", "Boulogne Ateliers", "Béthune Bois", "avion Solidaire",
         "Œuvres Communes", "école du Vent", "Ecole du Lin"]  # fmt: skip
FRENCH_ORDER = ["avion Solidaire", "Béthune Bois", "Boulogne Ateliers", "Ecole du Lin", "école du Vent",
                "Éolien Citoyen", "Œuvres Communes", "Vélo Nord", "Zèbre Coop"]  # fmt: skip


def test_french_sort_key_orders_like_a_french_reader():
    assert sorted(NAMES, key=french_sort_key) == FRENCH_ORDER
    assert sorted(["Lys", "l’Épeule", "Lille"], key=french_sort_key) == ["l’Épeule", "Lille", "Lys"]


@pytest.mark.django_db
def test_structures_sort_the_french_way_in_the_database():
    for index, name in enumerate(NAMES):
        Structure.objects.create(name=name, slug=f"s{index}", category="collectif", city=name.split()[0])
    assert list(Structure.objects.values_list("name", flat=True)) == FRENCH_ORDER  # Meta.ordering
    assert list(Structure.objects.order_by("-name").values_list("name", flat=True)) == FRENCH_ORDER[::-1]
    cities = Structure.objects.order_by("city").values_list("city", flat=True).distinct()
    assert list(cities) == ["avion", "Béthune", "Boulogne", "Ecole", "école", "Éolien", "Œuvres", "Vélo", "Zèbre"]
    # Accents only break ties (« Ecole » before « école »); equality stays exact: « Ecole » and « école » are two names.
    assert Structure.objects.filter(name="Ecole du Lin").count() == 1


@pytest.mark.django_db
def test_taxonomy_sorts_the_french_way():
    for name in ["Vélo", "Éolien", "Apiculture", "Écoconception", "Menuiserie"]:
        Skill.objects.create(name=name)
        Sector.objects.create(name=name)
    expected = ["Apiculture", "Écoconception", "Éolien", "Menuiserie", "Vélo"]
    assert list(Skill.objects.values_list("name", flat=True)) == expected
    assert list(Sector.objects.values_list("name", flat=True)) == expected
