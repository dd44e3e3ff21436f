from django.db import migrations

MEMBERSHIPS = [
    ("cluster", "Membre du cluster initiativesETcité"),
    ("locataire", "Locataire permanent de LaGrappe"),
    ("partenaire", "Partenaire"),
    ("reseau", "Réseau"),
]


def create_memberships(apps, schema_editor):
    Membership = apps.get_model("directory", "Membership")
    for slug, name in MEMBERSHIPS:
        Membership.objects.update_or_create(slug=slug, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(create_memberships, migrations.RunPython.noop)]
