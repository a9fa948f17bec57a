"""The vocabularies an import reads rows with, named as the demo names them."""

import pytest

from catalog.tests.factories import (
    CategoryFactory,
    CertificationFactory,
    MaterialFactory,
    StyleFactory,
    TechniqueFactory,
    TraditionFactory,
)


@pytest.fixture
def terms(db):
    """Categories, materials, techniques, traditions, styles and a certification, by slug."""
    return {
        "rings": CategoryFactory(name="Rings", slug="rings"),
        "necklaces": CategoryFactory(name="Necklaces & pendants", slug="necklaces-pendants"),
        "earrings": CategoryFactory(name="Earrings", slug="earrings"),
        "sterling": MaterialFactory(name="Sterling silver", slug="sterling-silver", kind="metal"),
        "gold": MaterialFactory(name="Yellow gold", slug="yellow-gold", kind="metal"),
        "brass": MaterialFactory(name="Brass", slug="brass", kind="metal"),
        "moonstone": MaterialFactory(name="Moonstone", slug="moonstone", kind="gemstone"),
        "forging": TechniqueFactory(name="Hand-forging", slug="hand-forging"),
        "repousse": TechniqueFactory(name="Repoussé", slug="repousse"),
        "filigree": TraditionFactory(name="Portuguese filigree", slug="portuguese-filigree", region="Minho"),
        "minimal": StyleFactory(name="Minimal", slug="minimal"),
        "everyday": StyleFactory(name="Everyday", slug="everyday"),
        "bohemian": StyleFactory(name="Bohemian", slug="bohemian"),
        "fairmined": CertificationFactory(name="Fairmined", slug="fairmined"),
    }
