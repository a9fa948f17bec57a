"""The catalog's models: the taxonomies, the piece and how it was made, and collections."""

from catalog.models.collections import Collection, CollectionPiece
from catalog.models.pieces import (
    PersonalizationOption,
    Piece,
    PieceImage,
    PieceMaterial,
    PieceViewDay,
    ProductionStep,
)
from catalog.models.requests import PersonalizationRequest, RequestMessage, RequestPhoto, RequestState
from catalog.models.taxonomy import Category, Certification, MakerCertification, Material, Style, Technique, Tradition
from catalog.models.trust import CopyFlag, DescriptionBand, PhotoCropHash, PieceReport, Review, TrustEvent

__all__ = [
    "Category",
    "Certification",
    "Collection",
    "CopyFlag",
    "DescriptionBand",
    "PhotoCropHash",
    "CollectionPiece",
    "MakerCertification",
    "Material",
    "PersonalizationOption",
    "PersonalizationRequest",
    "Piece",
    "PieceImage",
    "PieceMaterial",
    "PieceReport",
    "PieceViewDay",
    "ProductionStep",
    "RequestMessage",
    "RequestPhoto",
    "RequestState",
    "Review",
    "Style",
    "Technique",
    "Tradition",
    "TrustEvent",
]
