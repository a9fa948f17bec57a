"""
The catalog admin, where staff curate: one module per group of models. Django's
autodiscovery imports this package, which imports each module so that its
`@admin.register` runs.

A room at the top of catalog: it may import every room below (trust and
personalization for their services, catalog.services for pieces' writes).
"""

from catalog.admin import (  # noqa: F401
    collections,
    imports,
    outbox,
    people,
    pieces,
    requests,
    shoppers,
    taxonomy,
    trust,
)
