"""
Image renditions and storage names shared by every model that holds a photo.

Renditions are made by django-imagekit from the stored original; with the
Optimistic strategy (settings) they are generated when the original is saved,
never while a page is rendered.
"""

import uuid
from pathlib import PurePosixPath

from django.utils.deconstruct import deconstructible
from imagekit import ImageSpec
from imagekit.processors import ResizeToFill, ResizeToFit


class CardRendition(ImageSpec):
    """The listing card: 4:5, cropped to fill, small enough for a grid of 24."""

    processors = [ResizeToFill(360, 450)]
    format = "WEBP"
    options = {"quality": 78}


class CardRendition2x(ImageSpec):
    """The card for high-density screens (srcset 2x)."""

    processors = [ResizeToFill(720, 900)]
    format = "WEBP"
    options = {"quality": 74}


class DisplayRendition(ImageSpec):
    """The piece page: the whole photo, at most 1080 px on its long side."""

    processors = [ResizeToFit(1080, 1080, upscale=False)]
    format = "WEBP"
    options = {"quality": 80}


class ThumbRendition(ImageSpec):
    """Admin and dashboard lists: a small square."""

    processors = [ResizeToFill(96, 96)]
    format = "WEBP"
    options = {"quality": 70}


@deconstructible
class RandomName:
    """An upload_to that stores files under random names in a folder, keeping only the suffix."""

    def __init__(self, folder):
        self.folder = folder

    def __call__(self, instance, filename):
        suffix = PurePosixPath(filename).suffix.lower()[:5]
        name = uuid.uuid4().hex
        return f"{self.folder}/{name[:2]}/{name}{suffix}"

    def __eq__(self, other):
        return isinstance(other, RandomName) and other.folder == self.folder
