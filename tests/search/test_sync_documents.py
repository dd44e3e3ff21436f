"""The worker's bulk document builder gives exactly what the one-by-one builder gives."""

import pytest

from directory.models import Person, Structure, public_structures
from search.documents import structure_source, structure_sources

pytestmark = pytest.mark.django_db


def test_bulk_sources_equal_one_by_one_sources(directory):
    ids = list(Structure.objects.order_by("pk").values_list("pk", flat=True))
    bulk = structure_sources(ids)
    assert bulk == [structure_source(s) for s in public_structures(ids)]
    # The dataset exercises what could differ: drafts left out, people's skills, private people ignored.
    assert len(bulk) == Structure.objects.public().count() < len(ids)
    assert Person.objects.filter(public=False, skills__isnull=False).exists()
    assert any(source["skill_synonyms"] for source in bulk) and any(source["location"] for source in bulk)


def test_bulk_sources_of_nothing(directory):
    unpublished = list(Structure.objects.filter(live=False).values_list("pk", flat=True))
    assert structure_sources([]) == [] and structure_sources(unpublished) == []
