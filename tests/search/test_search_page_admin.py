"""Admin form of the directory search page: its pre-filters read well in French and show their choices."""

from django import forms

from directory_pages.models import DirectorySearchPage


def test_prefilter_fields_are_capitalised_checkboxes(db):
    form_class = DirectorySearchPage.get_edit_handler().get_form_class()
    fields = form_class.base_fields

    assert fields["prefilter_categories"].label == "Catégories"
    for name in ("prefilter_categories", "prefilter_memberships", "prefilter_skills", "prefilter_sectors"):
        assert type(fields[name].widget) is forms.CheckboxSelectMultiple, name
