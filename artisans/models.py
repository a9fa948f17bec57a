"""
Makers: who they are, where and how they work, and whether staff approved them.

`Artisan` covers every kind of maker that lists pieces (an independent
artisan, a studio or a brand); `maker_type` says which. What they make lives
in the catalog app, which builds on this one.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from imagekit.models import ImageSpecField

from marketplace.choice_labels import ChoiceLabels

from .choices import ArtisanStatus, MakerType, WorkshopSize
from .images import CardRendition, DisplayRendition, RandomName, ThumbRendition, UploadedImageField
from .querysets import ArtisanQuerySet


class Artisan(ChoiceLabels, models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="artisan")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    maker_type = models.CharField(
        max_length=20,
        choices=MakerType.choices,
        default=MakerType.INDEPENDENT,
        help_text=MakerType.field_help(),
    )
    bio = models.TextField(blank=True, help_text=_("Who the maker is and how they came to the craft."))
    statement = models.TextField(blank=True, help_text=_("The maker's own words on what they make and why."))
    country = CountryField()
    region = models.CharField(max_length=120, blank=True)
    founded_year = models.PositiveSmallIntegerField(null=True, blank=True)
    workshop_size = models.CharField(
        max_length=20,
        choices=WorkshopSize.choices,
        default=WorkshopSize.SOLO,
        help_text=WorkshopSize.field_help(),
    )
    labor_practices = models.TextField(
        blank=True,
        help_text=_("Who works in the workshop, how they are paid and what their conditions are."),
    )
    portrait = UploadedImageField(upload_to=RandomName("portraits"), blank=True)
    portrait_card = ImageSpecField(source="portrait", spec=CardRendition)
    portrait_thumb = ImageSpecField(source="portrait", spec=ThumbRendition)

    status = models.CharField(
        max_length=20,
        choices=ArtisanStatus.choices,
        default=ArtisanStatus.PENDING,
        help_text=ArtisanStatus.field_help(),
    )
    is_verified = models.BooleanField(
        _("verified maker"),
        default=False,
        help_text=_("Staff checked who this maker is and that the workshop exists."),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    # The application: when it was last sent, and the last refusal (the maker
    # stays pending, edits the application and sends it again).
    applied_at = models.DateTimeField(null=True, blank=True, db_index=True)
    refusal_reason = models.TextField(
        blank=True, help_text=_("Why staff refused the application; sent to the maker, who may edit and re-apply.")
    )
    refused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    refused_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArtisanQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["status", "country"])]
        constraints = [
            models.CheckConstraint(
                name="artisan_founded_year_plausible",
                condition=Q(founded_year__isnull=True) | Q(founded_year__gte=1700, founded_year__lte=2100),
            ),
            models.CheckConstraint(
                name="artisan_verified_has_when",
                condition=Q(is_verified=False) | Q(verified_at__isnull=False),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("artisans:artisan_detail", kwargs={"slug": self.slug})

    @property
    def is_public(self):
        return self.status == ArtisanStatus.APPROVED

    @property
    def is_refused(self):
        """Refused and not re-applied since: the application waits for the maker's changes."""
        return bool(self.refused_at) and self.status == ArtisanStatus.PENDING

    @property
    def workshop_size_explanation(self):
        return WorkshopSize(self.workshop_size).explanation

    @property
    def location(self):
        """'Oaxaca, Mexico', or just the country when no region is given."""
        return ", ".join(part for part in (self.region, self.country.name) if part)


class Application(Artisan):
    """Makers seen as applications to sell: the admin's approval queue."""

    class Meta:
        proxy = True
        verbose_name = _("application to sell")
        verbose_name_plural = _("applications to sell")


class ProcessPhoto(models.Model):
    """A photo of the maker's workshop, tools or hands at work."""

    artisan = models.ForeignKey(Artisan, on_delete=models.CASCADE, related_name="process_photos")
    image = UploadedImageField(upload_to=RandomName("process"))
    image_card = ImageSpecField(source="image", spec=CardRendition)
    image_display = ImageSpecField(source="image", spec=DisplayRendition)
    image_thumb = ImageSpecField(source="image", spec=ThumbRendition)
    alt_text = models.CharField(max_length=250, help_text=_("What the photo shows, for people who cannot see it."))
    caption = models.CharField(max_length=250, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(name="process_photo_alt_text_required", condition=~Q(alt_text="")),
        ]

    def __str__(self):
        return self.caption or self.alt_text
