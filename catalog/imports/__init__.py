"""
A maker's catalog brought in and taken out: import from a spreadsheet (Atelier's template, or the CSV
another marketplace exports) with a zip of photos, as a background job with a preview first; export
in Atelier's template. The rows are in the data layer (`catalog/models/imports.py`: `ImportJob`,
`ImportedRow`; `Piece.sku`).

A room between the screens and the pieces' writes: it may import `catalog.services` (every write to a
piece goes through the same rules as the studio's), the capabilities, the listing's front door, the
version and the data; the studio and the admin import it.
"""
