"""Export of the directory to the import's spreadsheets (CSV or XLSX), so export -> import round-trips.

Admin-only: the structures export holds drafts and the people export holds
non-public people (with their consent flag), exactly what the coordinator
needs to re-import. The public open-data files live in ``directory.opendata``.

Rows are read in chunks (keyset pagination, ``iterator``) and written as they
come to files, or to a temporary file for the admin's zip, so exporting 200,000
structures never holds them all in memory: one chunk at a time.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

from openpyxl import Workbook

from lagrappe.spreadsheets import InertCSVWriter, xlsx_cells

from .columns import FILES, LIST_SEPARATOR
from .models import Person, Sector, Skill, Structure

CHUNK_SIZE = 2000
KINDS = ("structures", "people", "skills", "sectors")


def _join(items) -> str:
    return f"{LIST_SEPARATOR} ".join(items)


def _number(value) -> str:
    return "" if value is None else repr(value) if isinstance(value, float) else str(value)


STRUCTURE_VALUE_FIELDS = [
    "id", "slug", "name", "category", "legal_form", "summary", "description", "address", "postcode", "city",
    "latitude", "longitude", "location_precision", "website", "email", "phone", "founded", "joined",
]  # fmt: skip


def structure_records(queryset=None, chunk_size: int | None = None) -> Iterator[dict]:
    """Structures as dicts with ``memberships``/``skills``/``sectors`` name lists, ordered by slug.

    Keyset pagination on the unique slug plus three through-table queries per
    chunk: flat dicts instead of model instances, because going through
    modelcluster's many-to-many managers costs ~1 ms per structure.
    """
    queryset = Structure.objects.all() if queryset is None else queryset
    chunk_size = chunk_size or CHUNK_SIZE
    last_slug = None
    while True:
        chunk_qs = queryset.order_by("slug")
        if last_slug is not None:
            chunk_qs = chunk_qs.filter(slug__gt=last_slug)
        rows = list(chunk_qs.values(*STRUCTURE_VALUE_FIELDS)[:chunk_size])
        if not rows:
            return
        ids = [row["id"] for row in rows]
        related = {row["id"]: {"memberships": [], "skills": [], "sectors": []} for row in rows}
        links = (
            (Structure.memberships.through, "membership_id", "memberships"),
            (Structure.skills.through, "skill__name", "skills"),
            (Structure.sectors.through, "sector__name", "sectors"),
        )
        for through, value, key in links:
            for structure_id, name in through.objects.filter(structure_id__in=ids).values_list("structure_id", value):
                related[structure_id][key].append(name)
        for row in rows:
            for key, names in related[row["id"]].items():
                row[key] = sorted(names)
            yield row
        last_slug = rows[-1]["slug"]


def structure_rows(queryset=None) -> Iterator[list[str]]:
    for s in structure_records(queryset):
        yield [
            s["slug"], s["name"], s["category"], s["legal_form"], _join(s["memberships"]), s["summary"],
            s["description"], _join(s["skills"]), _join(s["sectors"]), s["address"], s["postcode"], s["city"],
            _number(s["latitude"]), _number(s["longitude"]), s["website"], s["email"], s["phone"],
            _number(s["founded"]), s["joined"].isoformat() if s["joined"] else "",
        ]  # fmt: skip


def people_rows(queryset=None, chunk_size: int | None = None) -> Iterator[list[str]]:
    """People ordered by structure slug then their order; flat values, read in chunks (server-side cursor)."""
    queryset = Person.objects.all() if queryset is None else queryset
    chunk_size = chunk_size or CHUNK_SIZE
    fields = ["id", "structure__slug", "first_name", "last_name", "role", "email", "phone", "public"]
    rows = queryset.order_by("structure__slug", "sort_order", "id").values_list(*fields)
    batch = []
    for row in rows.iterator(chunk_size=chunk_size):
        batch.append(row)
        if len(batch) >= chunk_size:
            yield from _people_batch(batch)
            batch = []
    yield from _people_batch(batch)


def _people_batch(batch) -> Iterator[list[str]]:
    skills = {row[0]: [] for row in batch}
    links = Person.skills.through.objects.filter(person_id__in=list(skills)).values_list("person_id", "skill__name")
    for person_id, name in links:
        skills[person_id].append(name)
    for pk, slug, first, last, role, email, phone, public in batch:
        yield [slug, first, last, role, email, phone, _join(sorted(skills[pk])), "true" if public else "false"]


def skill_rows() -> Iterator[list[str]]:
    for skill in Skill.objects.select_related("domain").order_by("slug"):
        yield [skill.slug, skill.name, skill.domain.name if skill.domain else "", _join(skill.synonym_list)]


def sector_rows() -> Iterator[list[str]]:
    for sector in Sector.objects.order_by("slug"):
        yield [sector.slug, sector.name]


ROWS = {"structures": structure_rows, "people": people_rows, "skills": skill_rows, "sectors": sector_rows}


def write_csv(kind: str, stream) -> int:
    # Inert: a cell a spreadsheet would evaluate gets a leading quote, which the import removes.
    writer = InertCSVWriter(stream, lineterminator="\n")
    writer.writerow(FILES[kind][0])
    count = 0
    for row in ROWS[kind]():
        writer.writerow(row)
        count += 1
    return count


def write_xlsx(kind: str, target) -> int:
    workbook = Workbook(write_only=True)  # streams rows to disk instead of building the sheet in memory
    sheet = workbook.create_sheet(kind)
    sheet.append(FILES[kind][0])
    count = 0
    for row in ROWS[kind]():
        # Every cell as text, inert: postcodes like 02100 keep their leading zero, « = » is no formula.
        sheet.append(xlsx_cells(sheet, row))
        count += 1
    workbook.save(target)
    return count


def export_directory(fmt: str, out_dir) -> dict[str, tuple[Path, int]]:
    """Write structures, people, skills and sectors files to ``out_dir``; returns kind -> (path, rows)."""
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"Format inconnu « {fmt} » : csv ou xlsx.")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for kind in KINDS:
        path = out / f"{FILES[kind][1]}.{fmt}"
        if fmt == "csv":
            with path.open("w", encoding="utf-8", newline="") as stream:
                written[kind] = (path, write_csv(kind, stream))
        else:
            written[kind] = (path, write_xlsx(kind, path))
    return written


def export_zip(fmt: str, target) -> None:
    """The four files in one zip written to ``target`` (a binary file), for the admin's download button.

    Each file goes into the archive as it is written (CSV) or from a temporary
    file (XLSX): the export is never held whole in memory.
    """
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for kind in KINDS:
            name = f"{FILES[kind][1]}.{fmt}"
            if fmt == "csv":
                with archive.open(name, "w") as entry, io.TextIOWrapper(entry, encoding="utf-8", newline="") as text:
                    write_csv(kind, text)
            else:
                with tempfile.TemporaryFile() as workbook, archive.open(name, "w") as entry:
                    write_xlsx(kind, workbook)
                    workbook.seek(0)
                    shutil.copyfileobj(workbook, entry)
