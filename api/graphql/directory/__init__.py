"""The directory's GraphQL mirror (types, queries, loaders, filters).

The domain lives in ``directory.models``; this package only exposes it. The
queries are a graphene mixin (``schema.DirectoryQueries``) that
``api/wagtail_hooks.py`` adds to grapple's root query through the
``register_schema_query`` hook.
"""
