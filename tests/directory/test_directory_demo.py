"""load_directory_demo: taxonomy, LaGrappe's tenants, seeded structures, workflow — idempotent."""

import pytest
from wagtail.models import WorkflowContentType

from directory.demo import load_directory_demo
from directory.models import Person, Skill, Structure


@pytest.mark.django_db
def test_demo_loads_tenants_network_and_workflow_idempotently():
    first = load_directory_demo(count=30)
    counts = (Structure.objects.count(), Person.objects.count(), Skill.objects.count())

    second = load_directory_demo(count=30)

    assert first["structures"] == 30 and first["tenants"] == 6
    assert second["structures"] == 0 and second["skipped"] == 30
    assert (Structure.objects.count(), Person.objects.count(), Skill.objects.count()) == counts == (36, counts[1], 44)
    tenants = Structure.objects.filter(memberships__slug="locataire", slug="energies-citoyennes-metropole")
    assert tenants.get().live is True
    workflow = WorkflowContentType.objects.get(content_type__model="structure").workflow
    assert workflow.name == "Modération de l’annuaire"
    assert [t.name for t in workflow.tasks] == ["Validation par les modérateurs de l’annuaire"]
