"""schema.org JSON-LD for a structure's public profile (an ``Organization``)."""

from __future__ import annotations


def structure_jsonld(structure, base_url: str = "") -> dict:
    """Public fields only: no person appears here, consenting or not."""
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "@id": f"{base_url}{structure.get_absolute_url()}#organisation",
        "name": structure.name,
        "url": f"{base_url}{structure.get_absolute_url()}",
    }
    if structure.summary:
        data["description"] = structure.summary
    if structure.website:
        data["sameAs"] = [structure.website]
    if structure.email:
        data["email"] = structure.email
    if structure.phone:
        data["telephone"] = structure.phone
    if structure.founded:
        data["foundingDate"] = str(structure.founded)
    if structure.address or structure.postcode or structure.city:
        data["address"] = {
            "@type": "PostalAddress",
            "streetAddress": structure.address,
            "postalCode": structure.postcode,
            "addressLocality": structure.city,
            "addressCountry": "BE" if len(structure.postcode or "") == 4 else "FR",
        }
    if structure.has_location:
        data["geo"] = {"@type": "GeoCoordinates", "latitude": structure.latitude, "longitude": structure.longitude}
    skills = list(structure.skills.all())
    if skills:
        data["knowsAbout"] = [skill.name for skill in skills]
    return data
