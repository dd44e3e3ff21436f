"""SQLite only: each located document's place and combinations in one narrow index, for a search around a point.

A search around a point (« 10 km around Lille »: 100,178 of 191,930 documents
at 200k) read every document of the bounding box from
``search_document_listing``, computed each one's haversine distance (about
fifteen SQL function calls a row: ~140 ms of the search), then read each
match's two combinations of facet values (``search_document_signatures``).

``search_document_places`` holds, for each document with a position, its
latitude and longitude, its point on the unit sphere (x, y, z: the circle test
becomes a squared chord, sums and products) and its two combinations (``a``,
``b``); ``search_document_places_box`` covers them in latitude order, so the box
is one range of narrow entries and the facets need no other read
(``search.database.sqlite``). Triggers on ``search_document_signatures`` keep
it in step (its own triggers, of 0013, follow every write of a document): the
combinations and the position of a document are written together. A no-op
where 0006 created nothing (another database, an SQLite without FTS5).
"""

from django.db import migrations

DOCUMENTS = "search_structuresearchdocument"
FTS = "search_document_fts"
SIGNATURES = "search_document_signatures"
PLACES = "search_document_places"
INDEX = "search_document_places_box"
TRIGGERS = (f"{PLACES}_insert", f"{PLACES}_delete", f"{PLACES}_update")


def _place(row):
    """The located document of ``row`` (a row of the combinations), with its point on the unit sphere."""
    # Upsert, not INSERT OR REPLACE: inside a trigger SQLite applies the outer statement's conflict policy to those.
    return f"""
        INSERT INTO {PLACES} (structure_id, a, b, latitude, longitude, x, y, z)
            SELECT d.structure_id, {row}.a, {row}.b, d.latitude, d.longitude,
                cos(radians(d.latitude)) * cos(radians(d.longitude)), cos(radians(d.latitude)) * sin(radians(d.longitude)),
                sin(radians(d.latitude))
            FROM {DOCUMENTS} d
            WHERE d.structure_id = {row}.structure_id AND d.latitude IS NOT NULL AND d.longitude IS NOT NULL
            ON CONFLICT (structure_id) DO UPDATE SET a = excluded.a, b = excluded.b, latitude = excluded.latitude,
                longitude = excluded.longitude, x = excluded.x, y = excluded.y, z = excluded.z;"""


CREATE = [
    f"""CREATE TABLE {PLACES} (
        structure_id integer PRIMARY KEY, a integer NOT NULL, b integer NOT NULL,
        latitude real NOT NULL, longitude real NOT NULL, x real NOT NULL, y real NOT NULL, z real NOT NULL
    )""",
    f"CREATE INDEX {INDEX} ON {PLACES} (latitude, longitude, x, y, z, a, b)",
    # The combinations' triggers (0013) delete a document's row and upsert it again: an insert, an update or a
    # delete here, each read back from the document itself.
    f"CREATE TRIGGER {TRIGGERS[0]} AFTER INSERT ON {SIGNATURES} BEGIN{_place('new')}\n    END",
    f"""CREATE TRIGGER {TRIGGERS[1]} AFTER DELETE ON {SIGNATURES} BEGIN
        DELETE FROM {PLACES} WHERE structure_id = old.structure_id;
    END""",
    f"""CREATE TRIGGER {TRIGGERS[2]} AFTER UPDATE ON {SIGNATURES} BEGIN
        DELETE FROM {PLACES} WHERE structure_id = old.structure_id;{_place("new")}
    END""",
    # The documents already there.
    f"""INSERT INTO {PLACES} (structure_id, a, b, latitude, longitude, x, y, z)
        SELECT d.structure_id, s.a, s.b, d.latitude, d.longitude,
            cos(radians(d.latitude)) * cos(radians(d.longitude)), cos(radians(d.latitude)) * sin(radians(d.longitude)),
            sin(radians(d.latitude))
        FROM {DOCUMENTS} d JOIN {SIGNATURES} s ON s.structure_id = d.structure_id
        WHERE d.latitude IS NOT NULL AND d.longitude IS NOT NULL""",
]


def _has_signatures(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [SIGNATURES])
        return cursor.fetchone() is not None


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite" and _has_signatures(connection):
        for statement in CREATE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for trigger in TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {PLACES}")


class Migration(migrations.Migration):
    dependencies = [("search", "0019_sqlite_drop_document_geo")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
