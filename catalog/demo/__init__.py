"""
The demo catalog behind `manage.py seed_demo`: believable makers and pieces
that show every distinction the marketplace makes, with drawn photos.

    data          the vocabulary: taxonomies, countries, names and sentence parts
    makers        independent artisans, studios and brands, with their accounts
    pieces        one piece: its plan, drawn up with the planner's modules below
      photos      which drawing shows a piece, and its photo rows
      words       title, slug, description, story and care
      offer       availability, repairs and warranty, personalization options
      prices      materials plus labor, times a markup
      making      who made it, techniques, labor hours, production steps
      materials   metals and stones, and their material rows
      shares      weighted picks, the planner's way of choosing
    drawing       catalog photos of pieces, drawn with Pillow: the photo around the piece
      shapes      the piece of each category, in its variants
      primitives  the canvas, metal tones, bands, wires, stones, chains (also for workshop)
    workshop      process photos: the bench, a sketch, a wax, stones
    images        storing drawings and making their renditions, in worker processes
    rows          fast inserts of plain child rows
    build         finding, deleting and building the demo catalog
"""
