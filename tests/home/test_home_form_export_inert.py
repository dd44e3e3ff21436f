"""Form submissions exports (CSV, XLSX) never hold a cell a spreadsheet would evaluate."""

import csv
import io

import openpyxl
import pytest
from wagtail.contrib.forms.models import FormSubmission

HOSTILE = '=HYPERLINK("http://evil.example","clic")'


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_form_submissions_export_is_inert(fmt, client, tree, django_user_model):
    FormSubmission.objects.create(page=tree.form, form_data={"nom_et_prenom": HOSTILE})
    client.force_login(django_user_model.objects.create_superuser("coord", "c@example.org", "x"))

    response = client.get(f"/admin/forms/submissions/{tree.form.pk}/", {"export": fmt})

    content = b"".join(response.streaming_content)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
        assert rows[1][1] == "'" + HOSTILE
    else:
        cell = openpyxl.load_workbook(io.BytesIO(content)).active.cell(row=2, column=2)
        assert (cell.data_type, cell.value) == ("s", "'" + HOSTILE)
