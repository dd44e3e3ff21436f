"""Import of the cluster's spreadsheets: all or nothing, every defect reported, idempotent."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from directory.importing import ImportFailed, import_directory, parse_files
from directory.models import Person, Sector, Skill, SkillDomain, Structure

FIXTURES = Path(__file__).parent / "fixtures"
VALID = {kind: FIXTURES / f"{kind}.csv" for kind in ("structures", "people", "skills", "sectors")}


def counts(report, kind):
    return {action: report.count(kind, action) for action in ("created", "updated", "unchanged", "deleted")}


def snapshot():
    return (
        sorted(Structure.objects.values_list("slug", "name", "summary", "description", "latitude", "updated_at")),
        sorted(Person.objects.values_list("structure__slug", "first_name", "last_name", "email", "public", "role")),
        sorted(Skill.objects.values_list("slug", "name", "synonyms", "domain__name")),
        sorted(Sector.objects.values_list("slug", "name")),
    )


@pytest.mark.django_db
def test_import_valid_files_creates_everything():
    report = import_directory(**VALID)

    assert counts(report, "sectors") == {"created": 4, "updated": 0, "unchanged": 0, "deleted": 0}
    assert counts(report, "skills") == {"created": 7, "updated": 0, "unchanged": 0, "deleted": 0}
    assert counts(report, "structures") == {"created": 4, "updated": 0, "unchanged": 0, "deleted": 0}
    assert counts(report, "people") == {"created": 6, "updated": 0, "unchanged": 0, "deleted": 0}
    atelier = Structure.objects.get(slug="atelier-du-reemploi")
    assert atelier.name == "L'Atelier du Réemploi, Fives"
    assert atelier.description == (
        'Installée à LaGrappe depuis 2015.\n\nElle anime le "Repair Café" du samedi, ouvert à toutes et tous.'
    )
    assert atelier.address == "12, rue Pierre Legrand"
    assert atelier.live is True
    assert sorted(atelier.memberships.values_list("slug", flat=True)) == ["cluster", "locataire"]
    assert sorted(atelier.skills.values_list("name", flat=True)) == ["Menuiserie", "Réemploi des matériaux"]
    assert [p.full_name for p in atelier.people.order_by("sort_order")] == [
        "Camille Delattre",
        "Mehdi Benali",
        "Sophie Vanhoutte",
    ]
    assert [p.public for p in atelier.people.order_by("sort_order")] == [True, True, False]
    energies = Structure.objects.get(slug="energies-citoyennes")
    assert (energies.latitude, energies.longitude, energies.joined) == (50.6292, 3.0573, None)  # decimal comma accepted
    assert Structure.objects.get(slug="terres-de-fives").category == "territoire"  # label accepted
    claire = Structure.objects.get(slug="claire-dumont")
    assert claire.description == "<script>alert('x')</script> Conseil indépendant."  # stored as text
    # No coordinates in the file: placed at its town's centre (offline communes table), flagged approximate.
    assert (claire.founded, claire.latitude, claire.postcode) == (None, 50.6942, "")
    assert claire.location_precision == "municipality"
    assert Skill.objects.get(slug="rse").synonym_list == [
        "responsabilité sociétale des entreprises",
        "responsabilité sociale",
    ]
    assert SkillDomain.objects.count() == 5


@pytest.mark.django_db
def test_reimporting_the_same_files_changes_nothing():
    import_directory(**VALID)
    before = snapshot()

    report = import_directory(**VALID)

    assert snapshot() == before
    for kind, rows in (("sectors", 4), ("skills", 7), ("structures", 4), ("people", 6)):
        assert counts(report, kind) == {"created": 0, "updated": 0, "unchanged": rows, "deleted": 0}, kind
    assert report.changes == []


@pytest.mark.django_db
def test_import_updates_and_replaces_people(tmp_path):
    import_directory(**VALID)
    structures = (
        VALID["structures"].read_text().replace("Des toits solaires financés par les habitants.", "Nouveau résumé.")
    )
    people = (
        "\n".join(line for line in VALID["people"].read_text().splitlines() if "Sophie" not in line).replace(
            "Co-gérante", "Gérante"
        )
        + "\natelier-du-reemploi,Zoé,Martin,Bénévole,,,,non\n"
    )
    (tmp_path / "structures.csv").write_text(structures)
    (tmp_path / "people.csv").write_text(people)

    report = import_directory(structures=tmp_path / "structures.csv", people=tmp_path / "people.csv")

    assert counts(report, "structures") == {"created": 0, "updated": 1, "unchanged": 3, "deleted": 0}
    assert counts(report, "people") == {"created": 1, "updated": 1, "unchanged": 4, "deleted": 1}
    assert Structure.objects.get(slug="energies-citoyennes").summary == "Nouveau résumé."
    atelier_people = Person.objects.filter(structure__slug="atelier-du-reemploi").order_by("sort_order")
    assert [(p.full_name, p.role) for p in atelier_people] == [
        ("Camille Delattre", "Gérante"),
        ("Mehdi Benali", "Responsable de l'atelier, réparations"),
        ("Zoé Martin", "Bénévole"),
    ]


@pytest.mark.django_db
def test_invalid_files_report_every_defect_and_write_nothing(taxonomy):
    before = snapshot()

    with pytest.raises(ImportFailed) as failure:
        import_directory(
            structures=FIXTURES / "structures_invalid.csv",
            people=FIXTURES / "people_invalid.csv",
            sectors=VALID["sectors"],  # valid companions: their rows are not written either
        )

    issues = [(i.file, i.line, i.column) for i in failure.value.report.issues]
    assert issues == [
        ("structures_invalid.csv", 2, "slug"),
        ("structures_invalid.csv", 2, "category"),
        ("structures_invalid.csv", 2, "email"),
        ("structures_invalid.csv", 3, "latitude"),
        ("structures_invalid.csv", 3, "longitude"),
        ("structures_invalid.csv", 3, "skills"),
        ("structures_invalid.csv", 3, "sectors"),
        ("structures_invalid.csv", 5, "slug"),
        ("structures_invalid.csv", 5, "summary"),
        ("structures_invalid.csv", 5, "postcode"),
        ("structures_invalid.csv", 5, "website"),
        ("structures_invalid.csv", 5, "founded"),
        ("structures_invalid.csv", 5, "joined"),
        ("structures_invalid.csv", 6, "slug"),
        ("structures_invalid.csv", 6, "name"),
        ("structures_invalid.csv", 6, "membership"),
        ("structures_invalid.csv", 6, "phone"),
        ("people_invalid.csv", 2, "structure_slug"),
        ("people_invalid.csv", 3, "structure_slug"),
        ("people_invalid.csv", 3, "last_name"),
        ("people_invalid.csv", 3, "email"),
        ("people_invalid.csv", 3, "public"),
        ("people_invalid.csv", 4, "structure_slug"),
        ("people_invalid.csv", 4, "skills"),
        ("people_invalid.csv", 5, "structure_slug"),
        ("people_invalid.csv", 5, "first_name"),
    ]
    messages = {
        (i.line, i.column): i.message for i in failure.value.report.issues if i.file == "structures_invalid.csv"
    }
    assert messages[(3, "skills")] == (
        "compétence inconnue : « Plomberie » (à créer d’abord dans la taxonomie ou dans le fichier des compétences)."
    )
    assert messages[(5, "summary")] == "le résumé ne doit pas dépasser 300 caractères (actuellement 359)."
    assert messages[(3, "latitude")] == "La latitude doit être comprise entre -90 et 90 (reçu : 95)."
    assert messages[(5, "postcode")].startswith("Le code postal doit comporter 5 chiffres")
    assert snapshot() == before
    assert Sector.objects.filter(slug="mobilite").exists() is False


@pytest.mark.django_db
def test_header_problems_are_reported_on_line_one(tmp_path):
    path = tmp_path / "structures.csv"
    path.write_text("slug,nom,category\nabc,Abc,collectif\n")

    parsed, _ = parse_files(structures=path)

    reported = [(i.line, i.column) for i in parsed.issues]
    assert (1, "name") in reported and (1, "nom") in reported and (1, "summary") in reported
    assert {i.line for i in parsed.issues} == {1}


@pytest.mark.django_db
def test_dry_run_reports_without_writing():
    report = import_directory(**VALID, dry_run=True)

    assert counts(report, "structures")["created"] == 4
    assert Structure.objects.count() == 0
    assert Skill.objects.count() == 0


@pytest.mark.django_db
def test_command_prints_every_error_and_fails(capsys):
    with pytest.raises(CommandError, match="import annulé"):
        call_command("import_directory", structures=str(FIXTURES / "structures_invalid.csv"))

    err = capsys.readouterr().err
    assert (
        "structures_invalid.csv, ligne 5, colonne « founded » : La valeur «\xa0deux mille\xa0» doit être un nombre entier."
        in err
    )
    assert Structure.objects.count() == 0


@pytest.mark.django_db
def test_command_imports_and_reports_counts(capsys):
    call_command("import_directory", *[f"--{kind}={path}" for kind, path in VALID.items()])

    out = capsys.readouterr().out
    assert "Structures : 4 créées" in out
    assert "Secteurs : 4 créés" in out
    assert Structure.objects.count() == 4


@pytest.mark.django_db
def test_import_saves_a_revision_for_structures_edited_in_the_admin():
    import_directory(**VALID)
    structure = Structure.objects.get(slug="energies-citoyennes")
    structure.save_revision().publish()  # as the admin does on « Publier »
    changed = (
        VALID["structures"].read_text().replace("Des toits solaires financés par les habitants.", "Résumé importé.")
    )

    import_directory(structures=("structures.csv", changed))

    structure.refresh_from_db()
    assert structure.summary == "Résumé importé."
    assert structure.get_latest_revision_as_object().summary == "Résumé importé."  # what the editor opens
    assert structure.live_revision_id == structure.latest_revision_id
    assert structure.has_unpublished_changes is False


def test_summary_lines_agree_in_number():
    from directory.importing import ImportReport

    report = ImportReport()
    report.counts = {
        "skills": {"created": 1, "updated": 6, "unchanged": 1, "deleted": 0},
        "sectors": {"created": 0, "updated": 1, "unchanged": 4, "deleted": 0},
    }
    assert report.summary_lines() == [
        "Secteurs : 1 modifié, 4 inchangés",
        "Compétences : 1 créée, 6 modifiées, 1 inchangée",
    ]
