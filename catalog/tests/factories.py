"""Factories for the catalog: a published, handcrafted silver ring by default."""

from decimal import Decimal
from io import BytesIO

import factory
from django.core.files.base import ContentFile
from PIL import Image

from artisans.tests.factories import ArtisanFactory
from catalog.choices import (
    Availability,
    Construction,
    CopyKind,
    MaterialKind,
    PersonalizationKind,
    PieceStatus,
    ProductionMethod,
    ProductionStepKind,
    ReportReason,
    ReviewReason,
    StepDoneBy,
    TrustAction,
)
from catalog.models import (
    Category,
    Certification,
    Collection,
    CollectionPiece,
    CopyFlag,
    DescriptionBand,
    Material,
    PersonalizationOption,
    PersonalizationRequest,
    PhotoCropHash,
    Piece,
    PieceImage,
    PieceMaterial,
    PieceReport,
    ProductionStep,
    Review,
    Style,
    Technique,
    Tradition,
    TrustEvent,
)


def image_file(name="photo.png", size=(40, 50), colour=(180, 150, 90)):
    """A small, real PNG file."""
    buffer = BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name=name)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Material
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Metal {n}")
    slug = factory.Sequence(lambda n: f"metal-{n}")
    kind = MaterialKind.METAL


class TechniqueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Technique
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Technique {n}")
    slug = factory.Sequence(lambda n: f"technique-{n}")


class TraditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tradition
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Tradition {n}")
    slug = factory.Sequence(lambda n: f"tradition-{n}")
    region = "Oaxaca, Mexico"


class StyleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Style
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Style {n}")
    slug = factory.Sequence(lambda n: f"style-{n}")


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Certification {n}")
    slug = factory.Sequence(lambda n: f"certification-{n}")
    issuer = "Alliance for Responsible Mining"
    certifies = "responsible_mining"


class PieceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Piece

    artisan = factory.SubFactory(ArtisanFactory)
    title = factory.Sequence(lambda n: f"Hammered ring {n}")
    slug = factory.Sequence(lambda n: f"hammered-ring-{n}")
    category = factory.SubFactory(CategoryFactory, name="Rings", slug="rings")
    description = "A band forged from recycled silver wire."
    production_method = ProductionMethod.HANDCRAFTED
    availability = Availability.ONE_OF_A_KIND
    price = Decimal("180.00")
    status = PieceStatus.PUBLISHED
    published_at = factory.Faker("date_time_this_year", tzinfo=__import__("datetime").timezone.utc)


class ProductionStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductionStep

    piece = factory.SubFactory(PieceFactory)
    step = ProductionStepKind.FABRICATION
    done = StepDoneBy.BY_HAND


class PieceMaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PieceMaterial

    piece = factory.SubFactory(PieceFactory)
    material = factory.SubFactory(MaterialFactory, name="Silver", slug="silver")
    purity = "925"
    construction = Construction.SOLID


class PieceImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PieceImage

    piece = factory.SubFactory(PieceFactory)
    image = factory.LazyFunction(image_file)
    alt_text = "The ring on a linen cloth"


class PersonalizationOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonalizationOption

    piece = factory.SubFactory(PieceFactory)
    kind = PersonalizationKind.ENGRAVING
    max_characters = 12


class CollectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collection

    title = factory.Sequence(lambda n: f"Collection {n}")
    slug = factory.Sequence(lambda n: f"collection-{n}")
    is_published = True


class CollectionPieceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CollectionPiece

    collection = factory.SubFactory(CollectionFactory)
    piece = factory.SubFactory(PieceFactory)


def piece_with_details(**kwargs):
    """A published piece with a photo, two materials, two steps and an option, as cards and pages show them."""
    piece = PieceFactory(**kwargs)
    PieceImageFactory(piece=piece)
    PieceMaterialFactory(piece=piece, recycled=True)
    PieceMaterialFactory(
        piece=piece,
        material=MaterialFactory(name="Garnet", slug="garnet", kind="gemstone"),
        construction="",
        purity="",
        origin="Tanzania",
    )
    ProductionStepFactory(piece=piece, step="design", done=StepDoneBy.BY_HAND)
    ProductionStepFactory(piece=piece, step="casting", done=StepDoneBy.BY_PARTNER, partner_name="Casting Co.")
    PersonalizationOptionFactory(piece=piece)
    return piece


class PersonalizationRequestFactory(factory.django.DjangoModelFactory):
    """A request for an engraving-free resizing of a piece; pass state= and the fields that state needs."""

    class Meta:
        model = PersonalizationRequest

    shopper = factory.SubFactory("artisans.tests.factories.UserFactory")
    piece = factory.SubFactory(PieceFactory)
    artisan = factory.LazyAttribute(lambda request: request.piece.artisan)
    kinds = factory.LazyFunction(lambda: [PersonalizationKind.SIZING])
    size = "52"
    details = "A little wider, please."


# --- Trust ------------------------------------------------------------------------


class ReviewFactory(factory.django.DjangoModelFactory):
    """A piece's handcrafted claim waiting in the review queue."""

    class Meta:
        model = Review

    piece = factory.SubFactory(PieceFactory)
    artisan = factory.LazyAttribute(lambda review: review.piece.artisan)
    reason = ReviewReason.CLAIM


class TrustEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrustEvent

    piece = factory.SubFactory(PieceFactory)
    artisan = factory.LazyAttribute(lambda event: event.piece.artisan)
    action = TrustAction.OPENED


class CopyFlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CopyFlag

    piece = factory.SubFactory(PieceFactory)
    other = factory.SubFactory(PieceFactory)
    kind = CopyKind.PHOTO
    score = 2


class PieceReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PieceReport

    piece = factory.SubFactory(PieceFactory)
    reporter = factory.SubFactory("artisans.tests.factories.UserFactory")
    reason = ReportReason.NOT_HANDMADE


class PhotoCropHashFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PhotoCropHash

    image = factory.SubFactory(PieceImageFactory)
    crop = 25
    phash = 12345
    phash_0, phash_1, phash_2, phash_3 = 12345, 0, 0, 0


class DescriptionBandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DescriptionBand

    piece = factory.SubFactory(PieceFactory)
    band = 0
    value = 12345
