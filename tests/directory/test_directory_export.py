"""Export -> import round-trips, in CSV and XLSX, from the command and the library."""

from pathlib import Path

import pytest
from django.core.management import call_command

from directory.exporting import export_directory
from directory.importing import import_directory
from directory.models import Person, Skill, Structure

FIXTURES = Path(__file__).parent / "fixtures"
VALID = {kind: FIXTURES / f"{kind}.csv" for kind in ("structures", "people", "skills", "sectors")}


def full_state():
    return (
        sorted(
            (s.slug, s.name, s.category, s.legal_form, s.summary, s.description, s.address, s.postcode, s.city,
             s.latitude, s.longitude, s.website, s.email, s.phone, s.founded, s.joined,
             tuple(sorted(s.memberships.values_list("slug", flat=True))),
             tuple(sorted(s.skills.values_list("slug", flat=True))), tuple(sorted(s.sectors.values_list("slug", flat=True))))
            for s in Structure.objects.all()
        ),
        sorted(
            (p.structure.slug, p.first_name, p.last_name, p.role, p.email, p.phone, p.public, p.sort_order,
             tuple(sorted(p.skills.values_list("slug", flat=True))))
            for p in Person.objects.select_related("structure")
        ),
        sorted(Skill.objects.values_list("slug", "name", "synonyms", "domain__name")),
    )  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_round_trips(fmt, tmp_path):
    import_directory(**VALID)
    Structure.objects.filter(slug="claire-dumont").update(postcode="02100", city="Saint-Quentin")  # leading zero
    state = full_state()

    files = export_directory(fmt, tmp_path)
    Structure.objects.all().delete()
    Skill.objects.all().delete()
    report = import_directory(**{kind: path for kind, (path, _) in files.items()})

    assert full_state() == state
    assert {kind: rows for kind, (_, rows) in files.items()} == {
        "structures": 4,
        "people": 6,
        "skills": 7,
        "sectors": 4,
    }
    assert report.count("structures", "created") == 4


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_reimporting_an_export_changes_nothing(fmt, tmp_path):
    import_directory(**VALID)
    files = export_directory(fmt, tmp_path)

    report = import_directory(**{kind: path for kind, (path, _) in files.items()})

    assert report.changes == []
    assert report.count("people", "unchanged") == 6


@pytest.mark.django_db
def test_admin_export_keeps_non_public_people_with_their_flag(tmp_path):
    import_directory(**VALID)

    call_command("export_directory", "--format", "csv", "--out", str(tmp_path))

    people = (tmp_path / "people.csv").read_text()
    assert (
        "atelier-du-reemploi,Sophie,Vanhoutte,Comptable,sophie@atelier-reemploi.example,06 11 22 33 44,,false" in people
    )
    assert (tmp_path / "structures.csv").read_text().splitlines()[0] == (
        "slug,name,category,legal_form,membership,summary,description,skills,sectors,address,postcode,city,"
        "latitude,longitude,website,email,phone,founded,joined"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_admin_export_zip_holds_one_chunk_in_memory_not_the_export(fmt, monkeypatch, tmp_path):
    import random
    import string
    import tempfile
    import tracemalloc

    from directory import exporting

    # 1,500 structures of ~4 KB (random text: the zip cannot shrink it); chunks of 50 rows (~200 KB).
    rng = random.Random(9)
    Structure.objects.bulk_create(
        Structure(slug=f"s-{i:04d}", name=f"S {i}", category="collectif", live=True,
                  description="".join(rng.choices(string.ascii_letters + " ", k=4000)))
        for i in range(1500)
    )  # fmt: skip
    monkeypatch.setattr(exporting, "CHUNK_SIZE", 50)
    exported = 1500 * 4000
    with tempfile.TemporaryFile() as warm_up:
        exporting.export_zip(fmt, warm_up)  # imports (openpyxl, zlib) are not the export's memory

    with tempfile.TemporaryFile() as target:
        tracemalloc.start()
        exporting.export_zip(fmt, target)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        size = target.tell()

    assert size > exported / 2  # the descriptions are in the archive
    assert peak < exported / 4, f"peak {peak / 1e6:.1f} MB for a {exported / 1e6:.1f} MB export"
