"""The served schema is the committed one: partners code against schema.graphql."""

from pathlib import Path

from django.conf import settings
from graphql import print_schema

from api.schema import schema

SCHEMA_FILE = Path(settings.BASE_DIR) / "schema.graphql"
REGENERATE = (
    "make schema   (runs: .venv/bin/python manage.py graphql_schema --schema api.schema.schema --out schema.graphql)"
)


def test_served_schema_matches_committed_schema_graphql():
    served = print_schema(schema.graphql_schema).strip()
    committed = SCHEMA_FILE.read_text(encoding="utf-8").strip()

    if served != committed:
        import difflib

        diff = "\n".join(
            list(
                difflib.unified_diff(
                    committed.splitlines(), served.splitlines(), "schema.graphql", "served", lineterm=""
                )
            )[:60]
        )
        raise AssertionError(
            "The GraphQL schema differs from schema.graphql. If the change is deliberate "
            f"(and safe for partners), regenerate it with:\n\n    {REGENERATE}\n\nthen commit schema.graphql.\n\n{diff}"
        )


def test_every_directory_field_and_argument_has_a_description():
    graphql_schema = schema.graphql_schema
    directory_types = [
        "Structure",
        "Person",
        "Skill",
        "SkillDomain",
        "Sector",
        "Membership",
        "StructureList",
        "Pagination",
        "DirectorySearchResult",
        "DirectorySearchHit",
        "DirectorySearchHighlight",
        "DirectoryFacets",
        "DirectoryFacetValue",
        "DirectorySuggestion",
        "GeoPointInput",
    ]
    missing = []
    for name in directory_types:
        for field_name, field in graphql_schema.get_type(name).fields.items():
            if not field.description:
                missing.append(f"{name}.{field_name}")
            for arg_name, arg in getattr(field, "args", {}).items():
                if not arg.description and name != "Structure":  # logo's args are grapple's
                    missing.append(f"{name}.{field_name}({arg_name})")
    for root in ("directorySearch", "directorySuggest", "structure", "structures", "skills", "skillDomains", "sectors"):
        field = graphql_schema.query_type.fields[root]
        if not field.description:
            missing.append(f"Query.{root}")
        missing += [f"Query.{root}({a})" for a, arg in field.args.items() if not arg.description]

    assert missing == []
