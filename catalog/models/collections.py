"""Collections: pieces chosen and ordered by staff around a theme."""

from django.db import models
from django.urls import reverse

from catalog.models.pieces import Piece


class Collection(models.Model):
    title = models.CharField(max_length=150)
    slug = models.SlugField(max_length=170, unique=True)
    description = models.TextField(blank=True)
    is_published = models.BooleanField(default=False)
    featured = models.BooleanField(default=False, help_text="Shown on the home page.")
    pieces = models.ManyToManyField(Piece, through="CollectionPiece", related_name="collections")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("catalog:collection_detail", kwargs={"slug": self.slug})


class CollectionPiece(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="entries")
    piece = models.ForeignKey(Piece, on_delete=models.CASCADE, related_name="collection_entries")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "piece"], name="collection_piece_once"),
        ]

    def __str__(self):
        return f"{self.collection}: {self.piece}"
