"""The structure form's map: place or correct the point by hand (vendored Leaflet).

The panel sits under the latitude/longitude fields and drives them: clicking the
map or dragging the marker fills them, typing in them moves the marker. Its
status line says where the current point comes from and whether it is only
approximate (a commune's centre when the address service could not be reached).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import Panel

LILLE = (50.6329, 3.0573)  # where the map opens when a structure has no point yet


class LocationMapPanel(Panel):
    class BoundPanel(Panel.BoundPanel):
        template_name = "directory/admin/location_map_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            structure = self.instance
            context.update(
                {
                    "structure": structure,
                    "approximate": structure.location_is_approximate,
                    "tiles_url": settings.MAP_TILES_URL,
                    "tiles_attribution": settings.MAP_TILES_ATTRIBUTION,
                    "default_centre": LILLE,
                }
            )
            return context

        @property
        def media(self):
            return forms.Media(
                css={"all": ["vendor/leaflet/leaflet.css", "directory/admin/location-picker.css"]},
                js=["vendor/leaflet/leaflet.js", "directory/admin/location-picker.js"],
            )


class StructureAdminForm(WagtailAdminModelForm):
    """Coordinates typed or placed by an editor are theirs: the geocoder never replaces them."""

    def save(self, commit=True):
        instance = self.instance
        if {"latitude", "longitude"} & set(self.changed_data):
            if instance.latitude is not None and instance.longitude is not None:
                instance.location_source, instance.location_precision, instance.location_query = "manual", "", ""
            else:  # cleared: let the geocoder compute a point from the address again
                instance.location_source, instance.location_precision, instance.location_query = "", "", ""
        return super().save(commit=commit)
