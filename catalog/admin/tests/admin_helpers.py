"""Shared by the catalog admin's tests: admin URLs, a maker's certification, a documented piece, a form posted back."""

import factory
from django import forms
from django.urls import reverse

from artisans.tests.factories import ArtisanFactory
from catalog.choices import MaterialKind, ProductionStepKind
from catalog.models import MakerCertification
from catalog.tests.factories import (
    CertificationFactory,
    MaterialFactory,
    PersonalizationOptionFactory,
    PieceFactory,
    PieceImageFactory,
    PieceMaterialFactory,
    ProductionStepFactory,
)


class MakerCertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MakerCertification

    artisan = factory.SubFactory(ArtisanFactory)
    certification = factory.SubFactory(CertificationFactory)


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def documented_piece(**kwargs):
    """A piece with the photos, materials, steps and options the admin pages show."""
    piece = PieceFactory(**kwargs)
    PieceImageFactory(piece=piece, position=0)
    PieceImageFactory(piece=piece, position=1, is_process_photo=True, alt_text="Forging the band")
    PieceMaterialFactory(piece=piece)
    PieceMaterialFactory(
        piece=piece,
        material=MaterialFactory(name="Sapphire", slug="sapphire", kind=MaterialKind.GEMSTONE),
        certification=CertificationFactory(name="Gem report", slug="gem-report"),
        purity="",
        construction="",
    )
    ProductionStepFactory(piece=piece, step=ProductionStepKind.FABRICATION, position=0)
    ProductionStepFactory(piece=piece, step=ProductionStepKind.FINISHING, position=1)
    PersonalizationOptionFactory(piece=piece)
    return piece


def post_data(response):
    """The change form of `response` as the browser would post it back unchanged."""
    every_form = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        every_form.append(inline.formset.management_form)
        every_form.extend(inline.formset.forms)
    data = {}
    for form in every_form:
        for bound in form:
            if isinstance(bound.field, forms.FileField):
                continue  # files are not re-sent; the saved one is kept
            value = bound.value()
            if value is True:
                data[bound.html_name] = "on"
            elif value is False:
                continue
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(item) for item in value]
            else:
                data[bound.html_name] = "" if value is None else str(value)
    return data
