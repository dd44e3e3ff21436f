"""The spreadsheet columns shared by the import and the export (so they round-trip)."""

SKILL_COLUMNS = ["slug", "name", "domain", "synonyms"]
SECTOR_COLUMNS = ["slug", "name"]
STRUCTURE_COLUMNS = [
    "slug", "name", "category", "legal_form", "membership", "summary", "description", "skills", "sectors",
    "address", "postcode", "city", "latitude", "longitude", "website", "email", "phone", "founded", "joined",
]  # fmt: skip
PEOPLE_COLUMNS = ["structure_slug", "first_name", "last_name", "role", "email", "phone", "skills", "public"]

# kind -> (columns, default file name, French label used in reports)
FILES = {
    "sectors": (SECTOR_COLUMNS, "sectors", "secteurs"),
    "skills": (SKILL_COLUMNS, "skills", "compétences"),
    "structures": (STRUCTURE_COLUMNS, "structures", "structures"),
    "people": (PEOPLE_COLUMNS, "people", "personnes"),
}
LIST_SEPARATOR = ";"
