"""
The listing room: how pieces are found. Facets (catalog.listing.facets), the
filter forms and sorts (filters), search (search), the in-memory index of
published pieces per facet option (index, with its SQL reads and its orders),
the cards' cache (cards), and the two entry points the pages call:
`IndexedResult` (result: one request's pieces, counts and pages) and
`ListingState` (state: the facet column, the chips, the canonical URL).

Data flows down through it, never back up: result → index → filters → search
→ facets (the `listing-flow` contract in pyproject.toml). The room reads the
catalog's version (catalog.versions) and the data (models, querysets, choices);
nothing else of catalog's.
"""
