"""GraphQL types and root fields, one package per domain (Saleor's ``graphql/<domain>/`` shape).

Grapple types the editorial pages by itself; the directory is typed by hand
(``directory/``): visibility lives on its querysets, searches go through the
search service.
"""
