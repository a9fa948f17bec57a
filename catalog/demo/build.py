"""
Building, finding and removing the demo catalog.

`seed_demo` (the management command) calls these inside one transaction:
`demo_counts` to see whether a demo catalog is already there,
`delete_demo` to remove it, and `build_demo` to create it.

Demo data is recognised by its users: every demo maker's account (and the
demo curator's) has a username starting with `demo-`. Rows are written with
bulk_create (makers, whose ids the child rows need), `rows.insert_instances`
(pieces, ids taken first, then COPY on PostgreSQL) and `rows.insert` (the
child rows) in chunks of pieces; nothing calls save() per row.
"""

import datetime
import random
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone
from tqdm import tqdm

from artisans.models import Artisan, ProcessPhoto
from catalog.demo import data, makers, photos, pieces, rows
from catalog.demo.copies import plant_copies
from catalog.demo.images import Producer
from catalog.listing import forget_facet_options
from catalog.models import (
    Category,
    Certification,
    Collection,
    CollectionPiece,
    MakerCertification,
    Material,
    PersonalizationOption,
    Piece,
    PieceImage,
    PieceMaterial,
    ProductionStep,
    Style,
    Technique,
    Tradition,
)

DEFAULT_PIECES = 600
DEFAULT_SEED = 2026
CHUNK = 1000  # pieces planned and saved together; bounds memory at any size
FEATURED = 8  # "a handful" of featured pieces, whatever the size
COLLECTION_SIZE = 12
# The tables save_pieces fills: their foreign keys are checked and their indexes built at the end of the load.
PIECE_TABLES = [
    Piece,
    ProductionStep,
    PieceMaterial,
    PieceImage,
    PersonalizationOption,
    Piece.techniques.through,
    Piece.traditions.through,
    Piece.styles.through,
]

# --- Finding and removing ------------------------------------------------------------


def demo_users():
    return get_user_model().objects.filter(username__startswith=makers.USERNAME_PREFIX)


def demo_makers():
    return Artisan.objects.filter(user__username__startswith=makers.USERNAME_PREFIX)


def demo_pieces():
    return Piece.objects.filter(artisan__user__username__startswith=makers.USERNAME_PREFIX)


def demo_collections():
    return Collection.objects.filter(slug__in=[row[0] for row in data.COLLECTIONS])


def demo_counts():
    """(makers, pieces) of the demo catalog, or None when there is none."""
    maker_count = demo_makers().count()
    if not maker_count:
        return None
    return maker_count, demo_pieces().count()


def delete_demo():
    """
    Remove the demo catalog: its pieces with every row that points at them,
    its makers, its users (the curator too) and its collections.

    Deleting 100,000 pieces through Django's collector loads every piece and
    runs a query per related table per batch of a few hundred; instead each
    table that points at the pieces (or makers) is emptied with one statement,
    children first, and the pieces (and makers) themselves go last with a raw
    delete once nothing refers to them. The taxonomies are kept, and so are
    the photo files: their names say what they show, so the next build reuses them.
    """
    demo_collections().delete()
    delete_with_dependants(Piece, demo_pieces())
    delete_with_dependants(Artisan, demo_makers())
    demo_users().delete()


def delete_with_dependants(model, queryset):
    ids = queryset.values("pk")
    # include_hidden: foreign keys with related_name="+" and the through tables of
    # many-to-many fields point here too, and must be emptied before the raw delete.
    for relation in model._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete) or relation.many_to_many:
            continue
        rows = relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": ids})
        if relation.on_delete is models.SET_NULL:
            rows.update(**{relation.field.name: None})
        else:
            rows.delete()
    # Nothing refers to these rows any more, so the collector would have nothing to do but load them.
    queryset._raw_delete(queryset.db)


# --- Building ------------------------------------------------------------------------


@dataclass
class Summary:
    makers: int = 0
    countries: int = 0
    pieces: int = 0
    published: int = 0
    steps: int = 0
    materials: int = 0
    photos: int = 0
    files: int = 0
    drawn: int = 0
    collections: int = 0
    copies: int = 0
    seconds: float = 0.0

    def line(self):
        return (
            f"Seeded the demo catalog: {self.makers:,} makers from {self.countries} countries, "
            f"{self.pieces:,} pieces ({self.published:,} public), {self.steps:,} production steps, "
            f"{self.materials:,} materials, {self.photos:,} photos ({self.files:,} files, {self.drawn:,} drawn now), "
            f"{self.collections} collections, {self.copies} deliberately copied listings (in the review queue) "
            f"in {self.seconds:.1f} s."
        )


def start_of_today():
    """The reference date the catalog's dates count back from: today at 00:00 UTC, so a run is stable all day."""
    return timezone.now().astimezone(datetime.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def build_demo(*, pieces_count=DEFAULT_PIECES, seed=DEFAULT_SEED, progress_file=None, reference=None, workers=None):
    """Create the demo catalog; call inside a transaction, after making sure none exists. Returns a Summary."""
    started = time.monotonic()
    rng = random.Random(seed)
    reference = reference or start_of_today()
    # Fork the drawing workers first, before anything (a progress bar) starts a thread.
    producer = Producer(workers)
    try:
        summary = Summary()
        taxonomy = ensure_taxonomy()
        curator = create_curator()
        maker_list = save_makers(rng, pieces_count, taxonomy, curator, reference, producer, summary)
        ctx = pieces.Context(
            rng=rng,
            taxonomy=taxonomy,
            curator=curator,
            reference=reference,
            producer=producer,
            slugs_taken=set(Piece.objects.values_list("slug", flat=True)),
            drawings=photos.DrawingPool(rng, pieces_count),
        )
        with rows.checked_at_the_end(PIECE_TABLES), rows.indexed_at_the_end(PIECE_TABLES):
            public = save_pieces(ctx, maker_list, pieces_count, summary, progress_file)
        feature(rng, public)
        summary.collections = save_collections(rng, public)
        summary.files = len(producer.names)
        with tqdm(total=summary.files, desc="Photos", unit="file", file=progress_file, disable=None) as bar:
            summary.drawn = producer.finish(bar)
        summary.copies = plant_copies(rng, public)
    finally:
        producer.close()
    # Makers were inserted in bulk, which sends no signal to the facet options' cache.
    transaction.on_commit(forget_facet_options)
    summary.seconds = time.monotonic() - started
    return summary


def ensure_taxonomy():
    """Every taxonomy term, created or brought up to date by slug; returns {kind: {slug: instance}}."""
    categories = {
        slug: upsert(Category, slug, name=name, position=position, description=description)
        for position, (slug, name, _shape, _share, description) in enumerate(data.CATEGORIES, start=1)
    }
    materials = {}
    for slug, name, colour, family, _price in data.METALS:
        materials[slug] = upsert(
            Material,
            slug,
            name=name,
            kind=data.MATERIAL_KINDS["metal"],
            colour=colour,
            is_precious=family in ("silver", "gold", "platinum"),
        )
    for slug, name, kind, colour, *_rest in data.STONES:
        materials[slug] = upsert(Material, slug, name=name, kind=data.MATERIAL_KINDS[kind], colour=colour)
    for slug, name, colour, description in data.OTHER_MATERIALS:
        materials[slug] = upsert(Material, slug, name=name, kind="other", colour=colour, description=description)
    techniques = {
        slug: upsert(
            Technique,
            slug,
            name=name,
            is_traditional=traditional,
            is_industrial=industrial,
            origin=origin,
            description=description,
        )
        for slug, name, traditional, industrial, origin, description in data.TECHNIQUES
    }
    traditions = {
        slug: upsert(Tradition, slug, name=name, region=region, description=description)
        for slug, name, region, description, _techniques in data.TRADITIONS
    }
    styles = {slug: upsert(Style, slug, name=name) for slug, name in data.STYLES}
    certifications = {
        slug: upsert(Certification, slug, name=name, issuer=issuer, certifies=scope, url=url)
        for slug, name, issuer, scope, url, _applies in data.CERTIFICATIONS
    }
    return {
        "categories": categories,
        "materials": materials,
        "techniques": techniques,
        "traditions": traditions,
        "styles": styles,
        "certifications": certifications,
    }


def upsert(model, slug, **values):
    return model.objects.update_or_create(slug=slug, defaults=values)[0]


def create_curator():
    """The staff member who raised evidence levels and verified makers, with no way to log in."""
    # update_or_create: the curator outlives its makers if someone deleted those by hand.
    return get_user_model().objects.update_or_create(
        username=makers.CURATOR_USERNAME,
        defaults={
            "email": f"{makers.CURATOR_USERNAME}@example.com",
            "first_name": "Demo",
            "last_name": "Curator",
            "is_staff": True,
            "password": make_password(None),
        },
    )[0]


def save_makers(rng, pieces_count, taxonomy, curator, reference, producer, summary):
    usernames_taken = set(get_user_model().objects.values_list("username", flat=True))
    slugs_taken = set(Artisan.objects.values_list("slug", flat=True))
    maker_list = makers.plan_makers(
        rng,
        makers.maker_count(pieces_count),
        curator=curator,
        reference=reference,
        slugs_taken=slugs_taken,
        usernames_taken=usernames_taken,
    )
    get_user_model().objects.bulk_create([maker.user for maker in maker_list], batch_size=CHUNK)
    for maker in maker_list:
        require_pk(maker.user)
        maker.artisan.user_id = maker.user.pk
    Artisan.objects.bulk_create([maker.artisan for maker in maker_list], batch_size=CHUNK)

    technique_links, tradition_links, certifications, photos = [], [], [], []
    for maker in maker_list:
        artisan_id = require_pk(maker.artisan)
        technique_links += [
            Technique.artisans.through(technique_id=taxonomy["techniques"][slug].pk, artisan_id=artisan_id)
            for slug in maker.techniques
        ]
        tradition_links += [
            Tradition.artisans.through(tradition_id=taxonomy["traditions"][slug].pk, artisan_id=artisan_id)
            for slug in maker.traditions
        ]
        certifications += makers.certification_rows(maker, taxonomy["certifications"])
        photos += makers.process_photo_rows(maker, producer)
    Technique.artisans.through.objects.bulk_create(technique_links, batch_size=CHUNK)
    Tradition.artisans.through.objects.bulk_create(tradition_links, batch_size=CHUNK)
    MakerCertification.objects.bulk_create(certifications, batch_size=CHUNK)
    ProcessPhoto.objects.bulk_create(photos, batch_size=CHUNK)
    summary.makers = len(maker_list)
    summary.countries = len({str(maker.artisan.country) for maker in maker_list})
    return maker_list


def require_pk(instance):
    """bulk_create sets primary keys on PostgreSQL and on SQLite 3.35+; fail plainly anywhere else."""
    if instance.pk is None:
        raise RuntimeError(
            "The database did not return ids from bulk_create; seed_demo needs SQLite 3.35+ or PostgreSQL."
        )
    return instance.pk


@dataclass
class Public:
    """What collections and featuring need to know about a public piece, in generation order."""

    pk: int
    handmade_one_off: bool
    recycled: bool
    personalizable: bool
    heritage: bool
    affordable: bool


def save_pieces(ctx, maker_list, pieces_count, summary, progress_file):
    weights = [maker.weight for maker in maker_list]
    owners = ctx.rng.choices(maker_list, weights=weights, k=pieces_count)
    public = []
    with tqdm(total=pieces_count, desc="Pieces", unit="piece", file=progress_file, disable=None) as bar:
        for start in range(0, pieces_count, CHUNK):
            indexes = range(start, min(start + CHUNK, pieces_count))
            plans = [pieces.plan_piece(ctx, index, owners[index]) for index in indexes]
            rows.insert_instances(Piece, [plan.piece for plan in plans], batch_size=CHUNK)
            save_piece_rows(ctx, plans, summary)
            public += [public_facts(plan) for plan in plans if plan.is_public]
            bar.update(len(plans))
    summary.pieces = pieces_count
    summary.published = len(public)
    return public


def save_piece_rows(ctx, plans, summary):
    """Every child row of a chunk of saved pieces, one batched insert per table."""
    steps, materials, photos, options = [], [], [], []
    technique_links, tradition_links, style_links = [], [], []
    ids = {kind: {slug: term.pk for slug, term in terms.items()} for kind, terms in ctx.taxonomy.items()}
    for plan in plans:
        piece_id = require_pk(plan.piece)
        for row in plan.children():
            row["piece_id"] = piece_id
        steps += plan.steps
        materials += plan.materials
        photos += plan.images
        options += plan.options
        technique_links += [{"piece_id": piece_id, "technique_id": ids["techniques"][slug]} for slug in plan.techniques]
        tradition_links += [{"piece_id": piece_id, "tradition_id": ids["traditions"][slug]} for slug in plan.traditions]
        style_links += [{"piece_id": piece_id, "style_id": ids["styles"][slug]} for slug in plan.styles]
    rows.insert(ProductionStep, steps)
    rows.insert(PieceMaterial, materials)
    rows.insert(PieceImage, photos)
    rows.insert(PersonalizationOption, options)
    rows.insert(Piece.techniques.through, technique_links)
    rows.insert(Piece.traditions.through, tradition_links)
    rows.insert(Piece.styles.through, style_links)
    summary.steps += len(steps)
    summary.materials += len(materials)
    summary.photos += len(photos)


def public_facts(plan):
    piece = plan.piece
    return Public(
        pk=piece.pk,
        handmade_one_off=piece.availability == "one_of_a_kind" and piece.production_method == "handcrafted",
        recycled=plan.recycled,
        personalizable=bool(plan.options),
        heritage=bool(plan.traditions),
        affordable=piece.price < 150,
    )


def feature(rng, public):
    """A handful of public pieces for the home page."""
    chosen = rng.sample(public, min(FEATURED, len(public)))
    Piece.objects.filter(pk__in=[facts.pk for facts in chosen]).update(featured=True)


CRITERIA = {
    "one_of_a_kind": lambda facts: facts.handmade_one_off,
    "recycled": lambda facts: facts.recycled,
    "personalizable": lambda facts: facts.personalizable,
    "tradition": lambda facts: facts.heritage,
    "affordable": lambda facts: facts.affordable,
}


def save_collections(rng, public):
    """The staff-curated collections, each an ordered selection of public pieces that fit its theme."""
    entries = []
    for slug, title, description, criterion, featured in data.COLLECTIONS:
        collection = Collection.objects.create(
            slug=slug, title=title, description=description, is_published=True, featured=featured
        )
        candidates = [facts for facts in public if CRITERIA[criterion](facts)]
        chosen = rng.sample(candidates, min(COLLECTION_SIZE, len(candidates)))
        entries += [
            CollectionPiece(collection=collection, piece_id=facts.pk, position=position)
            for position, facts in enumerate(chosen, start=1)
        ]
    CollectionPiece.objects.bulk_create(entries, batch_size=CHUNK)
    return len(data.COLLECTIONS)
