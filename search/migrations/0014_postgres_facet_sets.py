"""PostgreSQL: each document's facet values as two small integers, for the facet counts of broad queries.

PostgreSQL only (``search.database.postgres``); on any other database this migration
does nothing.

A query matching most of the directory (« projet »: 162,000 documents of 200,000)
counts its facets over every matched row. It grouped those rows by their facet
values as text (category, memberships, sectors and city; the skills apart): hashing
and comparing text, and carrying it through the statement, was about a third of the
statement's time. Documents share few combinations of values (about 10,000 of the
first kind, 10,000 of skills, at 200,000 documents), so:

- ``search_facet_sets`` holds each combination met once, as its facet keys (the
  ``facet_keys`` form: « c:collectif », « m:cluster », « y:Lille »…; « t: » with the
  first kind, so that the total is counted with it);
- each document holds the id of its two combinations (``attribute_set``: category,
  memberships, sectors, city; ``skill_set``: skills), kept by a row trigger whatever
  the writer (the ORM, the sync's upsert, the rebuild's ``COPY``, raw SQL);
- a search groups its matched rows by those two integers, then reads each group's
  keys from ``search_facet_sets``.

A combination is never removed: a set no document holds any more is never read.
The documents already written get their sets once (triggers off meanwhile: words
and counts do not change), a few minutes per 100,000 documents.
"""

from django.db import migrations

TABLE = "search_structuresearchdocument"
SETS = "search_facet_sets"


def _keys(prefix: str, column: str) -> str:
    # As ``facet_keys`` (migration 0008): « |a|b| » -> {« p:a », « p:b »}, nothing for « || ».
    return (
        f"array_remove(string_to_array('{prefix}' || replace(btrim({column}, '|'), '|', '|{prefix}'), '|'), '{prefix}')"
    )


def attribute_keys(row: str) -> str:
    return (
        f"ARRAY['t:', 'c:' || {row}category] || {_keys('m:', f'{row}membership_slugs')}"
        f" || {_keys('e:', f'{row}sector_slugs')} || array_remove(ARRAY['y:' || {row}city], 'y:')"
    )


def skill_keys(row: str) -> str:
    return _keys("s:", f"{row}skill_slugs")


# A skill set is its skills' keys and their words (``skills_text``: the skills' names and synonyms as the
# document was written): a search reads the words of each set, not of each document.
SKILL_WORDS = "to_tsvector('lagrappe_fr'::regconfig, COALESCE(skills, ''))"

FORWARD = [
    # Looked up by a digest: a btree entry cannot hold a long list (a structure with many skills). The keys in
    # byte order: a search groups its counts by key, and needs no language's order for that.
    f"""CREATE TABLE {SETS} (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        keys text[] COLLATE "C" NOT NULL,
        skills text,
        words tsvector GENERATED ALWAYS AS ({SKILL_WORDS}) STORED,
        digest text NOT NULL UNIQUE
    )""",
    f"CREATE INDEX search_facet_sets_words ON {SETS} USING gin (words)",
    # The id of a set, added when new. Two writers adding the same one: the second waits for the first
    # (ON CONFLICT), then reads its row. A record's text quotes its fields: two sets, two texts.
    f"""CREATE FUNCTION search_facet_set(wanted text[], wanted_skills text) RETURNS integer LANGUAGE plpgsql AS $$
    DECLARE
        wanted_digest text := md5(ROW(wanted, wanted_skills)::text);
        found integer;
        held text[];
        held_skills text;
    BEGIN
        SELECT id, keys, skills INTO found, held, held_skills FROM {SETS} WHERE digest = wanted_digest;
        IF found IS NULL THEN
            INSERT INTO {SETS} (keys, skills, digest) VALUES (wanted, wanted_skills, wanted_digest)
            ON CONFLICT (digest) DO NOTHING RETURNING id, keys, skills INTO found, held, held_skills;
        END IF;
        IF found IS NULL THEN
            SELECT id, keys, skills INTO found, held, held_skills FROM {SETS} WHERE digest = wanted_digest;
        END IF;
        IF held IS DISTINCT FROM wanted OR held_skills IS DISTINCT FROM wanted_skills THEN
            RAISE EXCEPTION 'search_facet_sets: (%, %) and (%, %) share a digest', held, held_skills, wanted, wanted_skills;
        END IF;
        RETURN found;
    END $$""",
    f"""CREATE FUNCTION search_document_facet_sets() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.attribute_set := search_facet_set({attribute_keys("NEW.")}, NULL);
        NEW.skill_set := search_facet_set({skill_keys("NEW.")}, NEW.skills_text);
        RETURN NEW;
    END $$""",
    f"ALTER TABLE {TABLE} ADD COLUMN attribute_set integer, ADD COLUMN skill_set integer",
    f"""INSERT INTO {SETS} (keys, skills, digest) SELECT keys, skills, md5(ROW(keys, skills)::text) FROM (
        SELECT {attribute_keys("")} AS keys, NULL::text AS skills FROM {TABLE}
        UNION SELECT {skill_keys("")}, skills_text FROM {TABLE}
    ) met""",
    f"ALTER TABLE {TABLE} DISABLE TRIGGER USER",
    f"""UPDATE {TABLE} d SET attribute_set = a.id, skill_set = s.id FROM {SETS} a, {SETS} s
        WHERE a.digest = md5(ROW({attribute_keys("d.")}, NULL::text)::text)
        AND s.digest = md5(ROW({skill_keys("d.")}, d.skills_text)::text)""",
    # The structure's foreign key checks, deferred, must run before the triggers are switched back.
    "SET CONSTRAINTS ALL IMMEDIATE",
    f"ALTER TABLE {TABLE} ENABLE TRIGGER USER",
    f"""CREATE TRIGGER search_facet_sets_insert BEFORE INSERT ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION search_document_facet_sets()""",
    f"""CREATE TRIGGER search_facet_sets_update
        BEFORE UPDATE OF category, membership_slugs, sector_slugs, city, skill_slugs, skills_text ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION search_document_facet_sets()""",
    # The skills' words are read from the sets now (migration 0011 had them on each document).
    "DROP INDEX search_document_skills_vector",
    f"ALTER TABLE {TABLE} DROP COLUMN skills_vector",
    f"ANALYZE {TABLE}",
    f"ANALYZE {SETS}",
]

BACKWARD = [
    f"""ALTER TABLE {TABLE} ADD COLUMN skills_vector tsvector GENERATED ALWAYS AS (
        to_tsvector('lagrappe_fr'::regconfig, skills_text)
    ) STORED""",
    f"CREATE INDEX search_document_skills_vector ON {TABLE} USING gin (skills_vector)",
    f"DROP TRIGGER IF EXISTS search_facet_sets_update ON {TABLE}",
    f"DROP TRIGGER IF EXISTS search_facet_sets_insert ON {TABLE}",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS attribute_set, DROP COLUMN IF EXISTS skill_set",
    "DROP FUNCTION IF EXISTS search_document_facet_sets()",
    "DROP FUNCTION IF EXISTS search_facet_set(text[], text)",
    f"DROP TABLE IF EXISTS {SETS}",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)  # « % » in a function body is no placeholder

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0013_sqlite_facet_signatures"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD)),
    ]
