"""
The catalog's models: the taxonomies, the piece and how it was made, collections, requests, trust,
people's public names, the outbox of emails, search synonyms, imports of a maker's catalog, and what
shoppers keep (saved pieces, followed makers, saved searches).
"""

from catalog.models.collections import Collection, CollectionPiece
from catalog.models.imports import ImportedRow, ImportFormat, ImportJob, ImportState
from catalog.models.outbox import OutboxEmail, OutboxState
from catalog.models.people import Profile
from catalog.models.pieces import (
    PersonalizationOption,
    Piece,
    PieceImage,
    PieceMaterial,
    PieceViewDay,
    ProductionStep,
)
from catalog.models.requests import PersonalizationRequest, RequestMessage, RequestPhoto, RequestState
from catalog.models.search import SearchSynonym
from catalog.models.shoppers import AlertFrequency, Follow, SavedPiece, SavedSearch
from catalog.models.taxonomy import Category, Certification, MakerCertification, Material, Style, Technique, Tradition
from catalog.models.trust import CopyFlag, DescriptionBand, PhotoCropHash, PieceReport, Review, TrustEvent

__all__ = [
    "AlertFrequency",
    "Category",
    "Certification",
    "Collection",
    "CopyFlag",
    "Follow",
    "ImportFormat",
    "ImportJob",
    "ImportState",
    "ImportedRow",
    "DescriptionBand",
    "PhotoCropHash",
    "CollectionPiece",
    "MakerCertification",
    "Material",
    "OutboxEmail",
    "OutboxState",
    "PersonalizationOption",
    "PersonalizationRequest",
    "Piece",
    "PieceImage",
    "PieceMaterial",
    "PieceReport",
    "PieceViewDay",
    "Profile",
    "SavedPiece",
    "SavedSearch",
    "SearchSynonym",
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
