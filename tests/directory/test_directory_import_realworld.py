"""The cluster's real spreadsheets: French Excel/LibreOffice exports, edited by hand.

The documented format (UTF-8, comma-separated, header row, ``;`` in list cells) is the
reference; these tests pin the variations accepted when unambiguous, and the French errors
(file, line, column) otherwise. Every error case also proves nothing was written.
"""

import csv
import datetime as dt
import io

import pytest

from directory.columns import PEOPLE_COLUMNS, STRUCTURE_COLUMNS
from directory.importing import ImportFailed, import_directory
from directory.models import Person, Sector, Structure

pytestmark = pytest.mark.django_db


def structure(**values):
    row = dict.fromkeys(STRUCTURE_COLUMNS, "")
    row.update(slug="soleil", name="Soleil", category="collectif", membership="cluster")
    row.update(values)
    return [row[c] for c in STRUCTURE_COLUMNS]


def person(**values):
    row = dict.fromkeys(PEOPLE_COLUMNS, "")
    row.update(structure_slug="soleil", first_name="Camille", last_name="Delattre", public="oui")
    row.update(values)
    return [row[c] for c in PEOPLE_COLUMNS]


def to_csv(rows, header=STRUCTURE_COLUMNS, delimiter=",", newline="\n"):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def issues_of(**files):
    with pytest.raises(ImportFailed) as failure:
        import_directory(**files)
    assert Structure.objects.count() == 0 and Person.objects.count() == 0  # nothing written
    return [(i.file, i.line, i.column, i.message) for i in failure.value.report.issues]


# 1. BOM, CRLF, trailing empty columns and rows ---------------------------------------------------
def test_bom_crlf_trailing_empty_columns_and_rows(taxonomy):
    text = to_csv(
        [structure(description="Ligne 1\r\nLigne 2", skills="Photovoltaïque") + ["", ""], [""] * 21, [""] * 21],
        header=STRUCTURE_COLUMNS + ["", ""],
        newline="\r\n",
    )
    report = import_directory(structures=("structures.csv", "\ufeff".encode() + text.encode()))

    assert report.count("structures", "created") == 1
    soleil = Structure.objects.get(slug="soleil")
    assert soleil.description == "Ligne 1\r\nLigne 2"
    assert list(soleil.skills.values_list("name", flat=True)) == ["Photovoltaïque"]


def test_crlf_multiline_cells_keep_spreadsheet_line_numbers(taxonomy):
    text = to_csv(
        [structure(description="a\r\nb\r\nc"), structure(slug="Mauvais Slug"), structure(slug="ok", category="?")],
        newline="\r\n",
    )

    assert [i[1:3] for i in issues_of(structures=("s.csv", text.encode()))] == [(5, "slug"), (6, "category")]


# 2. Semicolon-delimited files (French Excel « CSV (séparateur : point-virgule) ») ----------------
def test_semicolon_file_with_comma_or_pipe_lists_and_decimal_comma(taxonomy):
    rows = [
        structure(membership="cluster, reseau", skills="Photovoltaïque,Menuiserie", sectors="Énergie",
                  latitude="50,6292", longitude="3,0573", summary="Toits, solaires; citoyens"),
        structure(slug="atelier", name="Atelier", membership="cluster|locataire",
                  sectors="Énergie | Économie circulaire"),
    ]  # fmt: skip
    people = to_csv([person(skills="Photovoltaïque, Menuiserie", public="Oui")], PEOPLE_COLUMNS, delimiter=";")

    import_directory(
        structures=("structures.csv", to_csv(rows, delimiter=";").encode()), people=("people.csv", people.encode())
    )

    soleil = Structure.objects.get(slug="soleil")
    assert (soleil.latitude, soleil.longitude, soleil.summary) == (50.6292, 3.0573, "Toits, solaires; citoyens")
    assert sorted(soleil.memberships.values_list("slug", flat=True)) == ["cluster", "reseau"]
    assert sorted(soleil.skills.values_list("name", flat=True)) == ["Menuiserie", "Photovoltaïque"]
    atelier = Structure.objects.get(slug="atelier")
    assert sorted(atelier.memberships.values_list("slug", flat=True)) == ["cluster", "locataire"]
    assert sorted(atelier.sectors.values_list("name", flat=True)) == ["Économie circulaire", "Énergie"]
    camille = Person.objects.get()
    assert (camille.public, sorted(camille.skills.values_list("name", flat=True))) == (
        True,
        ["Menuiserie", "Photovoltaïque"],
    )


def test_pipe_keeps_a_name_containing_a_comma_in_semicolon_files(taxonomy):
    Sector.objects.create(name="Bâtiment, travaux publics", slug="btp")
    rows = [structure(sectors="Bâtiment, travaux publics|Énergie")]

    import_directory(structures=("s.csv", to_csv(rows, delimiter=";").encode()))

    assert sorted(Structure.objects.get().sectors.values_list("name", flat=True)) == [
        "Bâtiment, travaux publics",
        "Énergie",
    ]


def test_delimiter_is_decided_by_the_header_only(taxonomy):
    # A comma file whose cells hold semicolons stays a comma file (lists by « ; »).
    rows = [structure(summary="a;b;c", skills="Photovoltaïque;Menuiserie")]
    import_directory(structures=("s.csv", to_csv(rows).encode()))

    soleil = Structure.objects.get()
    assert soleil.summary == "a;b;c"
    assert sorted(soleil.skills.values_list("name", flat=True)) == ["Menuiserie", "Photovoltaïque"]


def test_semicolon_header_with_a_typo_names_the_column(taxonomy):
    header = ["slug", "nom"] + STRUCTURE_COLUMNS[2:]
    text = to_csv([structure()], header=header, delimiter=";")

    assert issues_of(structures=("s.csv", text.encode())) == [
        ("s.csv", 1, "", "en-tête séparé par des points-virgules mais dont les colonnes ne sont pas toutes "
                         "reconnues : corrigez les colonnes signalées."),
        ("s.csv", 1, "name", "colonne obligatoire absente de l’en-tête."),
        ("s.csv", 1, "nom", "colonne inconnue : supprimez-la ou renommez-la, elle ne serait pas importée "
                            f"(colonnes attendues : {', '.join(STRUCTURE_COLUMNS)})."),
    ]  # fmt: skip


# 3. Encodings ---------------------------------------------------------------------------------
def test_windows_1252_semicolon_file_is_decoded(taxonomy):
    rows = [structure(name="Énergies d’ici « coop »", city="Villeneuve-d’Ascq", description="Œuvre à 100 €")]
    content = to_csv(rows, delimiter=";", newline="\r\n").encode("cp1252")

    import_directory(structures=("s.csv", content))

    soleil = Structure.objects.get()
    assert (soleil.name, soleil.city, soleil.description) == (
        "Énergies d’ici « coop »",
        "Villeneuve-d’Ascq",
        "Œuvre à 100 €",
    )


def test_other_single_byte_encodings_are_refused_not_garbled(taxonomy):
    content = to_csv([structure(), structure(slug="b", name="Énergie réemploi")]).encode("mac_roman")

    assert issues_of(structures=("s.csv", content)) == [
        ("s.csv", 3, "", "le fichier n’est pas encodé en UTF-8 (octet 0x83 ligne 3) et ne se lit pas sans "
                         "ambiguïté en Windows-1252 : enregistrez-le en « CSV UTF-8 »."),
    ]  # fmt: skip


def test_utf16_is_refused(taxonomy):
    assert issues_of(structures=("s.csv", to_csv([structure()]).encode("utf-16"))) == [
        ("s.csv", 1, "", "fichier encodé en UTF-16 (« Texte Unicode ») : enregistrez-le en « CSV UTF-8 »."),
    ]


def test_double_encoded_text_is_refused_with_line_and_column(taxonomy):
    garbled = "Ã‰nergies dâ€™ici".encode()  # « Énergies d’ici » read as Windows-1252 then saved in UTF-8
    content = to_csv([structure(), structure(slug="b", city="Lille", name="X")]).encode().replace(b"X", garbled)

    assert issues_of(structures=("s.csv", content)) == [
        ("s.csv", 3, "name", "texte mal encodé « Ã‰ » (accents abîmés par une conversion d’encodage) : "
                             "corrigez la cellule ou ré-enregistrez le fichier d’origine en « CSV UTF-8 »."),
    ]  # fmt: skip


# 4. Header cells ---------------------------------------------------------------------------------
def test_header_matches_case_spaces_accents(taxonomy):
    header = [" Slug ", "NAME  ", "Catégory", "Légal form"] + STRUCTURE_COLUMNS[4:]
    import_directory(structures=("s.csv", to_csv([structure(legal_form="SCOP")], header=header).encode()))

    assert Structure.objects.values_list("slug", "name", "legal_form").get() == ("soleil", "Soleil", "SCOP")


def test_extra_column_is_an_error(taxonomy):
    text = to_csv([structure() + ["à rappeler"]], header=STRUCTURE_COLUMNS + ["Notes"])

    assert issues_of(structures=("s.csv", text.encode())) == [
        ("s.csv", 1, "Notes", "colonne inconnue : supprimez-la ou renommez-la, elle ne serait pas importée "
                              f"(colonnes attendues : {', '.join(STRUCTURE_COLUMNS)})."),
    ]  # fmt: skip


def test_broken_structures_header_does_not_flood_people_errors(taxonomy):
    broken = to_csv([structure()], header=["slug", "nom"] + STRUCTURE_COLUMNS[2:])
    people = to_csv([person(), person(first_name="Mehdi")], PEOPLE_COLUMNS)

    issues = issues_of(structures=("s.csv", broken.encode()), people=("p.csv", people.encode()))

    assert [i[:3] for i in issues] == [("s.csv", 1, "name"), ("s.csv", 1, "nom")]


# 5. Cell formats ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw, expected",
    [("true", True), ("FALSE", False), ("Oui", True), ("non", False), ("Vrai", True), ("faux", False),
     ("1", True), ("0", False), ("yes", True), ("No", False), ("x", True), ("X", True), ("", False)],
)  # fmt: skip
def test_public_booleans(make_structure, raw, expected):
    make_structure(slug="soleil")
    import_directory(people=("p.csv", to_csv([person(public=raw)], PEOPLE_COLUMNS).encode()))

    assert Person.objects.get().public is expected


def test_unknown_boolean_names_the_line(make_structure):
    make_structure(slug="soleil")
    text = to_csv([person(), person(first_name="Mehdi", public="peut-être")], PEOPLE_COLUMNS)

    with pytest.raises(ImportFailed) as failure:
        import_directory(people=("p.csv", text.encode()))

    assert [str(i) for i in failure.value.report.issues] == [
        "p.csv, ligne 3, colonne « public » : valeur « peut-être » non reconnue : oui/non, vrai/faux, true/false, "
        "yes/no, 1/0, x ou vide (vide = non)."
    ]
    assert Person.objects.count() == 0


@pytest.mark.parametrize(
    "postcode, latitude, longitude, expected",
    [
        ("2000", "49.5636", "3.6244", "02000"),  # Laon (Aisne): Excel dropped the zero
        ("1000", "46.2044", "5.2258", "01000"),  # Bourg-en-Bresse
        ("7500", "50.6056", "3.3883", "7500"),  # Tournai (Belgique)
        ("7700", "50.7434", "3.2139", "7700"),  # Mouscron, next to Tourcoing
        ("2100", "49.9227", "4.0845", "2100"),  # Hirson: too close to Belgium to decide, kept
        ("2000", "", "", "2000"),  # no point: kept as given, a Belgian code
        ("59 000", "", "", "59000"),
        ("59000.0", "", "", "59000"),
    ],
)
def test_postcodes(taxonomy, postcode, latitude, longitude, expected):
    rows = [structure(postcode=postcode, latitude=latitude, longitude=longitude)]
    import_directory(structures=("s.csv", to_csv(rows).encode()))

    assert Structure.objects.get().postcode == expected


@pytest.mark.parametrize(
    "phone, expected",
    [
        ("03 20 00 10 01", "03 20 00 10 01"),
        ("03.20.00.10.01", "03.20.00.10.01"),
        ("03-20-00-10-01", "03-20-00-10-01"),
        ("0320001001", "0320001001"),
        ("+33 3 20 00 10 01", "+33 3 20 00 10 01"),
        ("+33 (0)3 20 00 10 01", "+33 (0)3 20 00 10 01"),
        ("03\u00a020\u00a000\u202f10 01", "03 20 00 10 01"),
        ("320001001", "03 20 00 10 01"),  # Excel dropped the leading zero
    ],
)
def test_phone_formats(taxonomy, phone, expected):
    import_directory(
        structures=("s.csv", to_csv([structure(phone=phone)]).encode()),
        people=("p.csv", to_csv([person(phone=phone)], PEOPLE_COLUMNS).encode()),
    )

    assert (Structure.objects.get().phone, Person.objects.get().phone) == (expected, expected)


@pytest.mark.parametrize(
    "website, expected",
    [
        ("www.exemple.fr", "https://www.exemple.fr"),
        ("exemple.fr/annuaire?x=1", "https://exemple.fr/annuaire?x=1"),
        ("http://exemple.fr", "http://exemple.fr"),
    ],
)
def test_website_without_scheme_gets_https(taxonomy, website, expected):
    import_directory(structures=("s.csv", to_csv([structure(website=website)]).encode()))

    assert Structure.objects.get().website == expected


@pytest.mark.parametrize(
    "joined, founded, expected",
    [
        ("2026-11-25", "2009", (dt.date(2026, 11, 25), 2009)),
        ("25/11/2026", "2009.0", (dt.date(2026, 11, 25), 2009)),
        ("5/3/2015", "2009,0", (dt.date(2015, 3, 5), 2009)),
        ("2026-11-25 00:00:00", "", (dt.date(2026, 11, 25), None)),
    ],
)
def test_joined_and_founded_formats(taxonomy, joined, founded, expected):
    import_directory(structures=("s.csv", to_csv([structure(joined=joined, founded=founded)]).encode()))

    assert Structure.objects.values_list("joined", "founded").get() == expected


def test_bad_cell_formats_are_all_reported(taxonomy):
    rows = [
        structure(phone="3,2E+08", website="exemple point fr", joined="31/02/2026", founded="2009.5"),
        structure(slug="b", joined="novembre 2026", postcode="59OOO"),
    ]

    assert issues_of(structures=("s.csv", to_csv(rows).encode())) == [
        ("s.csv", 2, "website", "Saisissez une URL valide."),
        ("s.csv", 2, "phone", "numéro « 3,2E+08 » en notation scientifique : Excel a perdu des chiffres. Mettez la "
                              "colonne au format Texte et retapez le numéro."),
        ("s.csv", 2, "founded", "La valeur «\xa02009.5\xa0» doit être un nombre entier."),
        ("s.csv", 2, "joined", "la date « 31/02/2026 » n’existe pas."),
        ("s.csv", 3, "postcode", "Le code postal doit comporter 5 chiffres (France) ou 4 chiffres (Belgique), "
                                 "par exemple 59000."),
        ("s.csv", 3, "joined", "date « novembre 2026 » non reconnue : AAAA-MM-JJ (2026-11-25) ou JJ/MM/AAAA "
                               "(25/11/2026)."),
    ]  # fmt: skip


# 6. Long cells, HTML, duplicates, unknown structures ---------------------------------------------
def test_very_long_description_is_imported_whole(taxonomy):
    description = "Coopérative " * 20_000  # 240,000 characters: above the csv module's default limit
    import_directory(structures=("s.csv", to_csv([structure(description=description.strip())]).encode()))

    assert len(Structure.objects.get().description) == 239_999


def test_too_long_name_is_an_error(taxonomy):
    assert issues_of(structures=("s.csv", to_csv([structure(name="N" * 300)]).encode())) == [
        ("s.csv", 2, "name", "Assurez-vous que cette valeur comporte au plus 200 caractères (actuellement 300)."),
    ]


def test_html_is_stored_as_text_and_rendered_escaped(client, taxonomy):
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    import_directory(structures=("s.csv", to_csv([structure(name=f"Coop {attack}", description=attack)]).encode()))

    assert Structure.objects.get().description == attack
    html = client.get("/annuaire/structures/soleil/").content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html


def test_duplicate_slug_names_both_lines(taxonomy):
    rows = [structure(), structure(slug="autre"), structure(name="Soleil bis")]

    assert issues_of(structures=("s.csv", to_csv(rows).encode())) == [
        ("s.csv", 4, "slug", "identifiant « soleil » déjà utilisé ligne 2 de ce fichier."),
    ]


def test_person_of_a_structure_absent_from_file_and_database(taxonomy):
    people = to_csv([person(), person(structure_slug="fantome")], PEOPLE_COLUMNS)

    assert issues_of(
        structures=("s.csv", to_csv([structure()]).encode()), people=("p.csv", people.encode())
    ) == [
        ("p.csv", 3, "structure_slug", "structure inconnue « fantome » (ni dans l’annuaire, ni dans le fichier des "
                                       "structures)."),
    ]  # fmt: skip


# 7. Every defect, at the line a spreadsheet shows ------------------------------------------------
def test_every_defect_is_reported_at_spreadsheet_lines(taxonomy):
    rows = [
        structure(description="Sur\ntrois\nlignes"),  # lines 2-4
        structure(slug="b", name="B", category="asso", email="x@"),  # line 5
        structure(slug="c", name="", latitude="95", longitude="3"),  # line 6
        structure(slug="d", name="D", description='Guillemets "ok"\net retour', skills="Inconnue"),  # lines 7-8
        structure(slug="e", name="E", joined="hier"),  # line 9
    ]
    text = to_csv(rows, delimiter=";", newline="\r\n")

    issues = issues_of(structures=("s.csv", text.encode("cp1252")))

    assert [i[1:3] for i in issues] == [
        (5, "category"),
        (5, "email"),
        (6, "name"),
        (6, "latitude"),
        (7, "skills"),
        (9, "joined"),
    ]
