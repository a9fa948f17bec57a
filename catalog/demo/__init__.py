"""
The demo catalog behind `manage.py seed_demo`: believable makers and pieces
that show every distinction the marketplace makes, with drawn photos.

    data       the vocabulary: taxonomies, countries, names and sentence parts
    makers     independent artisans, studios and brands, with their accounts
    pieces     one piece, its materials, steps, options, photos and price
    drawing    catalog photos of pieces, drawn with Pillow
    workshop   process photos: the bench, a sketch, a wax, stones
    images     storing drawings and making their renditions, in worker processes
    rows       fast inserts of plain child rows
    build      finding, deleting and building the demo catalog
"""
