"""Export of the directory to the import's spreadsheets (CSV or XLSX), so export -> import round-trips.

Admin-only: the structures export holds drafts and the people export holds
non-public people (with their consent flag), exactly what the coordinator
needs to re-import. The public open-data files live in ``directory.opendata``.

Rows are streamed (``iterator`` with prefetching in chunks), so exporting
200,000 structures never holds them all in memory.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.db.models import Prefetch

from .columns import FILES, LIST_SEPARATOR
from .models import Person, Sector, Skill, Structure

CHUNK_SIZE = 2000
KINDS = ("structures", "people", "skills", "sectors")


def _join(items) -> str:
    return f"{LIST_SEPARATOR} ".join(items)


def _number(value) -> str:
    return "" if value is None else repr(value) if isinstance(value, float) else str(value)


def structure_rows(queryset=None) -> Iterator[list[str]]:
    queryset = (
        (Structure.objects.all() if queryset is None else queryset)
        .order_by("slug")
        .prefetch_related(
            "memberships",
            Prefetch("skills", Skill.objects.order_by("name")),
            Prefetch("sectors", Sector.objects.order_by("name")),
        )
    )
    for s in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield [
            s.slug, s.name, s.category, s.legal_form, _join(m.slug for m in s.memberships.all()), s.summary,
            s.description, _join(k.name for k in s.skills.all()), _join(k.name for k in s.sectors.all()),
            s.address, s.postcode, s.city, _number(s.latitude), _number(s.longitude), s.website, s.email, s.phone,
            _number(s.founded), s.joined.isoformat() if s.joined else "",
        ]  # fmt: skip


def people_rows(queryset=None) -> Iterator[list[str]]:
    queryset = (
        (Person.objects.all() if queryset is None else queryset)
        .select_related("structure")
        .order_by("structure__slug", "sort_order", "id")
        .prefetch_related(Prefetch("skills", Skill.objects.order_by("name")))
    )
    for p in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield [
            p.structure.slug, p.first_name, p.last_name, p.role, p.email, p.phone, _join(k.name for k in p.skills.all()),
            "true" if p.public else "false",
        ]  # fmt: skip


def skill_rows() -> Iterator[list[str]]:
    for skill in Skill.objects.select_related("domain").order_by("slug"):
        yield [skill.slug, skill.name, skill.domain.name if skill.domain else "", _join(skill.synonym_list)]


def sector_rows() -> Iterator[list[str]]:
    for sector in Sector.objects.order_by("slug"):
        yield [sector.slug, sector.name]


ROWS = {"structures": structure_rows, "people": people_rows, "skills": skill_rows, "sectors": sector_rows}


def write_csv(kind: str, stream) -> int:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(FILES[kind][0])
    count = 0
    for row in ROWS[kind]():
        writer.writerow(row)
        count += 1
    return count


def write_xlsx(kind: str, target) -> int:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)  # streams rows to disk instead of building the sheet in memory
    sheet = workbook.create_sheet(kind)
    sheet.append(FILES[kind][0])
    count = 0
    for row in ROWS[kind]():
        sheet.append(row)  # every cell as text: postcodes like 02100 keep their leading zero
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


def export_zip(fmt: str) -> bytes:
    """The four files in one zip, for the admin's download button."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for kind in KINDS:
            name = f"{FILES[kind][1]}.{fmt}"
            if fmt == "csv":
                text = io.StringIO()
                write_csv(kind, text)
                archive.writestr(name, text.getvalue().encode("utf-8"))
            else:
                data = io.BytesIO()
                write_xlsx(kind, data)
                archive.writestr(name, data.getvalue())
    return buffer.getvalue()
