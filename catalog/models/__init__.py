"""The catalog's models: the taxonomies, the piece and how it was made, and collections."""

from .collections import Collection, CollectionPiece
from .pieces import (
    PersonalizationOption,
    Piece,
    PieceImage,
    PieceMaterial,
    ProductionStep,
)
from .taxonomy import Category, Certification, MakerCertification, Material, Style, Technique, Tradition

__all__ = [
    "Category",
    "Certification",
    "Collection",
    "CollectionPiece",
    "MakerCertification",
    "Material",
    "PersonalizationOption",
    "Piece",
    "PieceImage",
    "PieceMaterial",
    "ProductionStep",
    "Style",
    "Technique",
    "Tradition",
]
