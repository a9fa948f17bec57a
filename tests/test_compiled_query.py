"""marketplace.compiled_query: a queryset compiled once, run with other values, returns what the queryset does."""

from decimal import Decimal

import pytest
from django.db.models import Count

from artisans.tests.factories import StaffFactory
from catalog.models import Piece, PieceMaterial
from catalog.tests.factories import CertificationFactory, PieceFactory, PieceMaterialFactory
from marketplace.compiled_query import CompiledQuery

pytestmark = pytest.mark.django_db

MARKER = -1


def columns(instances):
    """Each instance's column values, with those of its related instances already loaded."""
    return [
        (
            {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields},
            {name: related and related.pk for name, related in instance._state.fields_cache.items()},
        )
        for instance in instances
    ]


def materials_of(piece_id):
    return PieceMaterial.objects.select_related("material", "certification").filter(piece=piece_id)


def test_each_run_returns_what_the_queryset_returns_with_its_values(django_assert_num_queries):
    made = []

    def make():
        made.append(1)
        return materials_of(MARKER)

    query = CompiledQuery(make, MARKER)
    pieces = [PieceFactory() for _ in range(3)]
    PieceMaterialFactory(piece=pieces[0], weight="2.35")  # a decimal: converted on SQLite
    PieceMaterialFactory(piece=pieces[0], certification=CertificationFactory())  # a null and a set foreign key
    PieceMaterialFactory(piece=pieces[2])
    for piece in pieces:
        with django_assert_num_queries(1):
            found = query.run(piece.pk)
        assert columns(found) == columns(materials_of(piece.pk))
        assert all(isinstance(material.weight, Decimal | None) for material in found)
    assert [len(query.run(piece.pk)) for piece in pieces] == [2, 0, 1]
    assert len(made) == 1  # compiled once


def test_deferred_fields_stay_deferred_and_several_markers_take_their_values():
    PieceFactory(title="Juno ring")
    piece = PieceFactory(evidence_raised_by=StaffFactory(first_name="Ines"), title="Juno ring")
    query = CompiledQuery(
        lambda: Piece.objects.select_related("evidence_raised_by")
        .defer("description")
        .filter(title="\0title", pk__gte=MARKER),
        "\0title",
        MARKER,
    )
    [found] = query.run("Juno ring", piece.pk)
    assert found.get_deferred_fields() == {"description"}
    assert found.evidence_raised_by.first_name == "Ines"
    assert found.published_at == Piece.objects.get(pk=piece.pk).published_at
    assert len(query.run("Juno ring", 0)) == 2
    assert query.run("Juno ring' OR '1'='1", 0) == []


@pytest.mark.parametrize(
    "make, markers",
    [
        (lambda: Piece.objects.filter(pk=5), [MARKER]),  # the marker is not a parameter
        (lambda: Piece.objects.filter(pk=MARKER, artisan=MARKER), [MARKER]),  # twice
        (lambda: Piece.objects.filter(pk=MARKER).annotate(n=Count("images")), [MARKER]),
        (lambda: Piece.objects.filter(pk=MARKER).values("title"), [MARKER]),
        (lambda: Piece.objects.filter(pk=MARKER).prefetch_related("images"), [MARKER]),
        (lambda: Piece.objects.filter(pk=MARKER).extra(select={"one": "1"}), [MARKER]),
    ],
    ids=["absent", "twice", "annotated", "values", "prefetching", "extra"],
)
def test_a_query_it_cannot_run_as_written_is_refused(make, markers):
    with pytest.raises(ValueError):
        CompiledQuery(make, *markers).run(1)
