"""The production static storage: whitenoise's compressed manifest, vendored files left as shipped.

Django's ``ManifestStaticFilesStorage`` rewrites every ``sourceMappingURL`` comment to
the map's hashed name, so ``collectstatic`` fails when the map is absent — and even
when present, a rewritten ``graphiql.min.js`` no longer matches the Subresource
Integrity hash graphene-django puts on its ``<script>`` (the page then refuses it).
Under ``vendor/`` the source-map comments are left as they are: the maps are not
shipped (a browser's developer tools merely miss them), the vendored bytes stay the
upstream ones. Every other reference (a stylesheet's ``url(…)``, our own scripts'
maps) is still hashed and checked.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage

VENDOR_PREFIX = "vendor/"


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def url_converter(self, name, hashed_files, template=None):
        convert = super().url_converter(name, hashed_files, template)
        if not name.replace("\\", "/").startswith(VENDOR_PREFIX):
            return convert

        def keep_source_map_comment(matchobj):
            if "sourceMappingURL" in matchobj["matched"]:
                return matchobj["matched"]
            return convert(matchobj)

        return keep_source_map_comment
