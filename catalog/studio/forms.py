"""
The studio's forms: the application to sell (artisans' form plus the catalog's
techniques and traditions) and the piece form with its four formsets.

Rules across a piece's fields are checked here with the message beside the
field it concerns; the database constraints hold the same rules as a last line.

Part of the studio room: the studio's views (catalog.studio.views) use them; saving is
catalog.services.piece_save.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from artisans.choices import WorkshopSize
from artisans.forms import ArtisanApplicationForm, ArtisanProfileForm
from catalog.choices import Availability, MadeBy, PersonalizationKind, StepDoneBy
from catalog.models import (
    PersonalizationOption,
    Piece,
    PieceImage,
    PieceMaterial,
    ProductionStep,
    Technique,
    Tradition,
)

ERROR_EDITION_SIZE = "A limited edition needs its edition size: how many will ever be made (2 or more)."
ERROR_EDITION_SIZE_ONLY_LIMITED = "Only a limited edition has an edition size; leave it empty."
ERROR_LEAD_TIME = "A piece made to order needs a lead time of at least one day."
ERROR_COSTS_ABOVE_PRICE = "Materials and labor together (%(total)s) cannot cost more than the price."
ERROR_PARTNER_NAME = "Name the production partner who made the piece; shoppers see it."
ERROR_STEP_PARTNER = "Name the partner who did this step."
ERROR_ENGRAVING_LIMIT = "Give the most letters an engraving can have (1 or more)."
ERROR_ONE_COVER = "Mark only one photo as the cover."
ERROR_COVER_IS_PROCESS = "The cover is a photo of the finished piece, not a process photo."
ERROR_SOLO_WITH_STUDIO_TEAM = (
    "Some of your pieces say they were made by the studio team (%(titles)s): a solo maker has no team. "
    "Change who made them first, then your workshop size."
)
# How many of those pieces the message names.
STUDIO_TEAM_TITLES_SHOWN = 5

# The largest numbers a maker may type, far above any real piece, so that a
# slip of the finger ("12000000") is caught with a message, not stored.
MAX_PRICE = Decimal("1000000")
MAX_LABOR_HOURS = Decimal("5000")
MAX_COUNTS = {"stock": 100_000, "edition_size": 100_000, "lead_time_days": 730, "warranty_months": 1200}


class TaxonomyChoices(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class HeritageFields(forms.Form):
    """The techniques and traditions of a maker (Technique.artisans, Tradition.artisans)."""

    techniques = TaxonomyChoices(Technique.objects.all(), required=False, label=_("Techniques you use"))
    traditions = TaxonomyChoices(Tradition.objects.all(), required=False, label=_("Traditions you work in"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["techniques"].initial = list(self.instance.techniques.all())
            self.fields["traditions"].initial = list(self.instance.traditions.all())


class WorkshopAgainstPieces:
    """
    Refuses a solo maker's workshop while any of the maker's pieces says it was made by the studio
    team (Piece.clean's rule, seen from the profile's side): the maker changes those pieces first.
    Here rather than in artisans' form, since artisans may not read the catalog.
    """

    def clean_workshop_size(self):
        size = self.cleaned_data["workshop_size"]
        if size != WorkshopSize.SOLO or not self.instance.pk:
            return size
        titles = list(
            Piece.objects.filter(artisan=self.instance, made_by=MadeBy.STUDIO_TEAM)
            .order_by("title")
            .values_list("title", flat=True)[: STUDIO_TEAM_TITLES_SHOWN + 1]
        )
        if titles:
            shown = ", ".join(f"“{title}”" for title in titles[:STUDIO_TEAM_TITLES_SHOWN])
            if len(titles) > STUDIO_TEAM_TITLES_SHOWN:
                shown += ", …"
            raise ValidationError(ERROR_SOLO_WITH_STUDIO_TEAM, code="solo_with_studio_team", params={"titles": shown})
        return size


class ApplicationForm(WorkshopAgainstPieces, HeritageFields, ArtisanApplicationForm):
    """The application to sell: who the maker is, and the techniques and traditions they work in."""


class ProfileForm(WorkshopAgainstPieces, HeritageFields, ArtisanProfileForm):
    """The maker's profile, edited in the studio."""


class PieceForm(forms.ModelForm):
    """Every field of the domain table a maker describes a piece with."""

    class Meta:
        model = Piece
        fields = [
            "title",
            "category",
            "description",
            "production_method",
            "made_by",
            "production_partner",
            "uses_bought_components",
            "techniques",
            "labor_hours",
            "availability",
            "edition_size",
            "lead_time_days",
            "stock",
            "price",
            "materials_cost",
            "labor_cost",
            "variation_note",
            "care_instructions",
            "lifetime_repairs",
            "resizing",
            "warranty_months",
            "design_story",
            "traditions",
            "styles",
        ]
        widgets = {
            "production_method": forms.RadioSelect,
            "made_by": forms.RadioSelect,
            "availability": forms.RadioSelect,
            "techniques": forms.CheckboxSelectMultiple,
            "traditions": forms.CheckboxSelectMultiple,
            "styles": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 4}),
            "variation_note": forms.Textarea(attrs={"rows": 2}),
            "care_instructions": forms.Textarea(attrs={"rows": 2}),
            "design_story": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "warranty_months": _("Months the maker repairs faults for free; 0 for none."),
            "care_instructions": _("How to keep the piece: what to avoid, how to clean it."),
            "styles": _("Shoppers browse by style."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits = {
            "price": MAX_PRICE,
            "materials_cost": MAX_PRICE,
            "labor_cost": MAX_PRICE,
            "labor_hours": MAX_LABOR_HOURS,
        }
        for name, limit in {**limits, **MAX_COUNTS}.items():
            self.fields[name].validators.append(MaxValueValidator(limit))
            self.fields[name].widget.attrs["max"] = limit
        # A radio group needs no "---------" choice: it starts with none checked.
        for name in ("production_method", "made_by", "availability"):
            self.fields[name].choices = [choice for choice in self.fields[name].choices if choice[0]]

    def clean(self):
        data = super().clean()
        availability = data.get("availability")
        edition_size = data.get("edition_size")
        if availability == Availability.LIMITED_EDITION and (edition_size is None or edition_size < 2):
            self.add_error("edition_size", ValidationError(ERROR_EDITION_SIZE, code="edition_size_required"))
        elif availability and availability != Availability.LIMITED_EDITION and edition_size is not None:
            self.add_error("edition_size", ValidationError(ERROR_EDITION_SIZE_ONLY_LIMITED, code="edition_size_unused"))
        lead_time = data.get("lead_time_days")
        if availability == Availability.MADE_TO_ORDER and not lead_time:
            self.add_error("lead_time_days", ValidationError(ERROR_LEAD_TIME, code="lead_time_required"))
        price = data.get("price")
        costs = (data.get("materials_cost") or 0) + (data.get("labor_cost") or 0)
        if price is not None and costs > price:
            field = "labor_cost" if data.get("labor_cost") else "materials_cost"
            self.add_error(
                field, ValidationError(ERROR_COSTS_ABOVE_PRICE, code="costs_above_price", params={"total": costs})
            )
        if data.get("made_by") == MadeBy.PRODUCTION_PARTNER and not data.get("production_partner", "").strip():
            self.add_error("production_partner", ValidationError(ERROR_PARTNER_NAME, code="partner_required"))
        return data


class ProductionStepForm(forms.ModelForm):
    class Meta:
        model = ProductionStep
        fields = ["step", "done", "partner_name", "note", "position"]
        widgets = {"done": forms.Select(attrs={"data-step-done": ""})}

    def clean(self):
        data = super().clean()
        if data.get("done") == StepDoneBy.BY_PARTNER and not data.get("partner_name", "").strip():
            self.add_error("partner_name", ValidationError(ERROR_STEP_PARTNER, code="step_partner_required"))
        return data


class PieceMaterialForm(forms.ModelForm):
    class Meta:
        model = PieceMaterial
        fields = [
            "material",
            "purity",
            "construction",
            "plating_thickness_microns",
            "recycled",
            "origin",
            "gem_source",
            "treatment",
            "certification",
            "weight",
            "weight_unit",
            "position",
        ]


class PieceImageForm(forms.ModelForm):
    is_cover = forms.BooleanField(required=False, label=_("Cover"), help_text=_("The photo shown on the listing card."))

    class Meta:
        model = PieceImage
        fields = ["image", "alt_text", "is_process_photo", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A photo already stored keeps its file unless a new one is chosen.
        if self.instance.pk:
            self.fields["image"].required = False


class PieceFormSet(BaseInlineFormSet):
    """
    A formset of a piece's rows. A row not saved yet proposes the next position;
    the choices of a foreign key are read once for all the rows, not once a row.
    """

    cached_choice_fields = ()

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if "position" in form.fields and not form.instance.pk:
            form.initial.setdefault("position", i)
        for name in self.cached_choice_fields:
            if not hasattr(self, "_choices"):
                self._choices = {}
            if name not in self._choices:
                self._choices[name] = list(form.fields[name].choices)
            form.fields[name].choices = self._choices[name]
        return form


class PieceMaterialFormSet(PieceFormSet):
    cached_choice_fields = ("material", "certification")


class PieceImageFormSet(PieceFormSet):
    def clean(self):
        super().clean()
        covers = [
            form for form in self.forms if form.cleaned_data.get("is_cover") and not form.cleaned_data.get("DELETE")
        ]
        if len(covers) > 1:
            raise ValidationError(ERROR_ONE_COVER, code="one_cover")
        if covers and covers[0].cleaned_data.get("is_process_photo"):
            covers[0].add_error("is_cover", ValidationError(ERROR_COVER_IS_PROCESS, code="cover_is_process"))


class PersonalizationOptionForm(forms.ModelForm):
    class Meta:
        model = PersonalizationOption
        fields = ["kind", "max_characters", "extra_price", "extra_lead_days", "note"]

    def clean(self):
        data = super().clean()
        if data.get("kind") == PersonalizationKind.ENGRAVING and not data.get("max_characters"):
            self.add_error("max_characters", ValidationError(ERROR_ENGRAVING_LIMIT, code="engraving_limit_required"))
        return data


def _formset(model, form, *, extra, formset=PieceFormSet, max_num=20):
    return inlineformset_factory(
        Piece, model, form=form, formset=formset, extra=extra, can_delete=True, max_num=max_num, validate_max=True
    )


StepFormSet = _formset(ProductionStep, ProductionStepForm, extra=3, max_num=7)
MaterialFormSet = _formset(PieceMaterial, PieceMaterialForm, extra=2, formset=PieceMaterialFormSet)
ImageFormSet = _formset(PieceImage, PieceImageForm, extra=3, formset=PieceImageFormSet)
OptionFormSet = _formset(PersonalizationOption, PersonalizationOptionForm, extra=1, max_num=5)

# The formsets of the piece form, by the prefix they post under.
PIECE_FORMSETS = {"steps": StepFormSet, "materials": MaterialFormSet, "photos": ImageFormSet, "options": OptionFormSet}
