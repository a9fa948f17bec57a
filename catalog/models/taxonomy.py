"""
The vocabularies pieces are described with, curated by staff: categories,
materials, techniques, traditions, styles and certifications.
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from artisans.images import RandomName
from artisans.models import Artisan
from catalog.choices import CertificationScope, MaterialKind
from marketplace.choice_labels import ChoiceLabels


class Taxonomy(ChoiceLabels, models.Model):
    """A named, slugged term; the slug is what listing URLs carry."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name


class Category(Taxonomy):
    position = models.PositiveSmallIntegerField(default=0)

    class Meta(Taxonomy.Meta):
        ordering = ["position", "name"]
        verbose_name_plural = _("categories")

    def get_absolute_url(self):
        return f"{reverse('catalog:piece_list')}?category={self.slug}"


class Material(Taxonomy):
    kind = models.CharField(max_length=20, choices=MaterialKind.choices, help_text=MaterialKind.field_help())
    colour = models.CharField(
        max_length=7, blank=True, help_text=_("A hex colour for the swatch shown beside the name, e.g. #c9a227.")
    )
    is_precious = models.BooleanField(
        default=False,
        help_text=_("A precious metal (gold, silver, platinum, palladium), not a base metal such as brass."),
    )

    class Meta(Taxonomy.Meta):
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                name="material_colour_is_hex",
                condition=Q(colour="") | Q(colour__regex=r"^#[0-9a-fA-F]{6}$"),
            ),
        ]


class Technique(Taxonomy):
    is_traditional = models.BooleanField(
        default=False, help_text=_("A technique handed down through a craft tradition.")
    )
    is_industrial = models.BooleanField(
        default=False,
        help_text=_("A technique of machine production: die-stamping, CNC, injection casting, electroplating."),
    )
    origin = models.CharField(max_length=200, blank=True, help_text=_("Where and when the technique comes from."))
    artisans = models.ManyToManyField(Artisan, blank=True, related_name="techniques")

    class Meta(Taxonomy.Meta):
        constraints = [
            models.CheckConstraint(
                name="technique_not_traditional_and_industrial",
                condition=~Q(is_traditional=True, is_industrial=True),
            ),
        ]


class Tradition(Taxonomy):
    region = models.CharField(max_length=200)
    artisans = models.ManyToManyField(Artisan, blank=True, related_name="traditions")


class Style(Taxonomy):
    """A style tag: minimal, vintage-inspired, contemporary, statement…"""


class Certification(Taxonomy):
    issuer = models.CharField(max_length=200)
    certifies = models.CharField(
        max_length=30, choices=CertificationScope.choices, help_text=CertificationScope.field_help()
    )
    url = models.URLField(blank=True)


class CertificationClaim(ChoiceLabels, models.Model):
    """A claim to a certification, with the evidence staff check before it counts."""

    certification = models.ForeignKey(Certification, on_delete=models.PROTECT, related_name="+")
    certificate_number = models.CharField(max_length=100, blank=True)
    evidence = models.FileField(upload_to=RandomName("evidence"), blank=True)
    is_verified = models.BooleanField(
        _("verified by staff"),
        default=False,
        help_text=_("Counts in public filters and badges only once staff checked the evidence."),
    )

    class Meta:
        abstract = True


class MakerCertification(CertificationClaim):
    """A certification held by a maker (fair trade, living wage, a chain-of-custody membership)."""

    artisan = models.ForeignKey(Artisan, on_delete=models.CASCADE, related_name="certifications")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["artisan", "certification"], name="maker_certification_once"),
        ]

    def __str__(self):
        return f"{self.artisan}: {self.certification}"
