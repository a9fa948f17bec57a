"""
The studio's forms: the application to sell and the profile (artisans' forms plus the
catalog's techniques and traditions, with the maker's process photos) and the piece form
with its four formsets.

Rules across a piece's fields are checked here with the message beside the
field it concerns; the database constraints hold the same rules as a last line.

The rows of a list (a piece's steps, materials, photos and options; a maker's
process photos) are added, removed and moved before anything is saved:
`rows_change` rewrites the posted data for one row button ("steps:add",
"photos:up:2"), and the form is shown again from it.
A row's place is its hidden `position`, not its index, so a row keeps its index
(and a chosen file its input) while it moves; a removed row is kept as hidden
inputs marked for deletion, and an added row takes the place of a removed new
one, so that the count of rows stays within twice the maximum.

Part of the studio room: the studio's views (catalog.studio.views) use them; saving is
catalog.services.piece_save.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.forms.utils import ErrorDict
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from artisans.choices import WorkshopSize
from artisans.forms import ArtisanApplicationForm, ArtisanProfileForm, ProcessPhotoFormSet
from artisans.models import Artisan, ProcessPhoto
from catalog.choices import (
    Availability,
    Construction,
    GemSource,
    MadeBy,
    PersonalizationKind,
    StepDoneBy,
    StoneTreatment,
)
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
ERROR_TOO_MANY_ROWS = "You can add at most %(max)s %(rows)s."
ERROR_SKU_TAKEN = "Another of your pieces already has the reference “%(sku)s”: each of your pieces needs its own."
ERROR_ROWS_UNREADABLE = "The list of %(rows)s could not be read; reload the page and try again."
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


class QuietForm:
    """A form shown again after a row button: no errors, since nothing was asked to be saved."""

    def quiet(self):
        self._errors = ErrorDict()
        self.cleaned_data = {}
        return self


class HeritageFields(QuietForm, forms.Form):
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


class PieceForm(QuietForm, forms.ModelForm):
    """Every field of the domain table a maker describes a piece with."""

    class Meta:
        model = Piece
        fields = [
            "title",
            "sku",
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
        name_empty_choices(self, {"category": _("Choose a category")})
        # The model lets a draft leave the method empty (an import that did not state it); the studio's
        # form saves a piece only once the maker says how it is made.
        self.fields["production_method"].required = True
        self.fields["sku"].label = _("SKU (your own reference)")

    def clean_sku(self):
        # The database's constraint is per maker, a field the form does not show, so the form asks itself.
        sku = self.cleaned_data["sku"].strip()
        instance = self.instance
        if sku and instance.artisan_id is not None:
            if Piece.objects.filter(artisan_id=instance.artisan_id, sku=sku).exclude(pk=instance.pk).exists():
                raise ValidationError(ERROR_SKU_TAKEN, code="sku_taken", params={"sku": sku})
        return sku

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


def name_empty_choices(form, labels):
    """Give each select's empty choice a label that says what to do, instead of "---------"."""
    for name, label in labels.items():
        field = form.fields[name]
        if isinstance(field, forms.ModelChoiceField):
            field.empty_label = label
        else:
            field.choices = [("", label) if value == "" else (value, text) for value, text in field.choices]


def row_position(value):
    """A posted position as a number from 0 to 32767; a value that is not a number puts the row last."""
    try:
        return min(max(int(str(value).strip()), 0), ROW_LAST)
    except (TypeError, ValueError):
        return ROW_LAST


ROW_LAST = 32767


class RowPosition(forms.IntegerField):
    """A row's place in its list, set by its up and down buttons; never refused, since no one types it."""

    widget = forms.HiddenInput

    def to_python(self, value):
        return row_position(value) if value not in self.empty_values else None


class RowForm(forms.ModelForm):
    """
    One row of a list. Where a new row sits is not a change: an untouched new row is left
    out, wherever it was moved.
    """

    empty_labels = {}
    # Fields whose help explains every choice: said once above the rows, not in each row.
    explained_once = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "position" in self.fields:
            self.fields["position"] = RowPosition(required=False)
        name_empty_choices(self, self.empty_labels)
        for name in self.explained_once:
            self.fields[name].help_text = ""

    # The fields shown at once; the others are folded under "More" (None: all shown).
    main_fields = None

    def main_and_more_fields(self):
        visible = self.visible_fields()
        if self.main_fields is None:
            return visible, []
        return [f for f in visible if f.name in self.main_fields], [
            f for f in visible if f.name not in self.main_fields
        ]

    def summary(self):
        """The row in a few words, for the line that says it will be removed."""
        return str(self.instance)

    @property
    def row_index(self):
        return int(self.prefix.rsplit("-", 1)[1])

    @cached_property
    def changed_data(self):
        changed = super().changed_data
        if self.instance.pk is None:
            changed = [name for name in changed if name not in ("position", "DELETE")]
        return changed


class ProductionStepForm(RowForm):
    empty_labels = {"step": _("Choose a step"), "done": _("Choose who did it")}
    explained_once = {"done": StepDoneBy}

    class Meta:
        model = ProductionStep
        fields = ["step", "done", "partner_name", "note", "position"]
        widgets = {"done": forms.Select(attrs={"data-step-done": ""})}
        labels = {"step": _("Step"), "done": _("Done")}

    def clean(self):
        data = super().clean()
        if data.get("done") == StepDoneBy.BY_PARTNER and not data.get("partner_name", "").strip():
            self.add_error("partner_name", ValidationError(ERROR_STEP_PARTNER, code="step_partner_required"))
        return data


class PieceMaterialForm(RowForm):
    empty_labels = {
        "material": _("Choose a material"),
        "construction": _("Not stated (or not a metal)"),
        "gem_source": _("Not stated (or not a stone)"),
        "treatment": _("Not stated (or not a stone)"),
        "certification": _("No certification"),
    }
    explained_once = {"construction": Construction, "gem_source": GemSource, "treatment": StoneTreatment}
    # Shown at once; the others (provenance, certification, weight) are folded until they hold a value.
    main_fields = ("material", "purity", "construction", "recycled")

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

    def more_is_filled(self):
        """Whether a folded field holds a value or an error, so that the fold starts open."""
        _main, more = self.main_and_more_fields()
        defaults = {"weight_unit": "g"}
        return any(
            field.errors or (field.value() not in (None, "", False) and str(field.value()) != defaults.get(field.name))
            for field in more
        )


class PhotoRowForm(RowForm):
    """A row with a photo: shown as its thumbnail beside its alt text, its file replaced, never linked."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # htmx swaps the photos' section after a row button: the file input (by its id, which is
        # the row's index) is kept as it is, with the file chosen in it.
        self.fields["image"].widget.attrs["data-hx-preserve"] = "true"
        # A photo already stored keeps its file unless a new one is chosen.
        if self.instance.pk:
            self.fields["image"].required = False
            self.fields["image"].label = _("Replace the photo")
        else:
            self.fields["image"].label = _("Photo")


class PieceImageForm(PhotoRowForm):
    is_cover = forms.BooleanField(required=False, label=_("Cover"), help_text=_("The photo shown on the listing card."))

    class Meta:
        model = PieceImage
        fields = ["image", "alt_text", "is_process_photo", "position"]
        widgets = {"image": forms.FileInput}
        labels = {"alt_text": _("What the photo shows")}


class ProcessPhotoForm(PhotoRowForm):
    """One of the maker's process photos (artisans' ProcessPhotoFormSet says which fields)."""

    class Meta:
        model = ProcessPhoto
        fields = ProcessPhotoFormSet.form._meta.fields
        widgets = {"image": forms.FileInput}
        labels = {"alt_text": _("What the photo shows")}


class PersonalizationOptionForm(RowForm):
    empty_labels = {"kind": _("Choose a kind")}
    explained_once = {"kind": PersonalizationKind}

    def summary(self):
        return self.instance.get_kind_display()

    class Meta:
        model = PersonalizationOption
        fields = ["kind", "max_characters", "extra_price", "extra_lead_days", "note"]

    def clean(self):
        data = super().clean()
        if data.get("kind") == PersonalizationKind.ENGRAVING and not data.get("max_characters"):
            self.add_error("max_characters", ValidationError(ERROR_ENGRAVING_LIMIT, code="engraving_limit_required"))
        return data


class RowFormSet(BaseInlineFormSet):
    """
    A list of rows (a piece's, or a maker's process photos), shown in the order of their positions,
    with a Remove button instead of a Delete checkbox. An owner without rows of the kind starts with
    `start_rows` empty ones; the choices of a foreign key are read once for all the rows, not once a row.
    """

    cached_choice_fields = ()
    deletion_widget = forms.HiddenInput
    start_rows = 1
    # The rows' name in messages: "steps", "materials".
    rows_name = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.extra = 0 if self.get_queryset() else self.start_rows

    @property
    def is_ordered(self):
        return "position" in self.form.base_fields

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if self.is_ordered and not form.instance.pk:
            form.initial.setdefault("position", i)
        if not hasattr(self, "_choices"):
            self._choices = {}
        for name in self.cached_choice_fields:
            if name not in self._choices:
                self._choices[name] = list(form.fields[name].choices)
            form.fields[name].choices = self._choices[name]
        return form

    @staticmethod
    def is_removed(form):
        """Whether the row's Remove button was pressed (its hidden DELETE input is set)."""
        return "DELETE" in form.fields and form.fields["DELETE"].to_python(form["DELETE"].value())

    @staticmethod
    def index(form):
        return form.row_index

    def focus(self, what, index):
        """Mark the field or button that gets the focus (the `autofocus` attribute) when shown again."""
        if what == "add":
            self.autofocus = "add"
            return
        form = next((form for form in self.forms if form.row_index == index), None)
        if form is None:
            return
        if what == "field":
            form.visible_fields()[0].field.widget.attrs["autofocus"] = True
        else:
            form.autofocus = what

    @property
    def rows(self):
        """The rows still on the page, in their order (position, then index)."""
        live = [form for form in self.forms if not self.is_removed(form)]
        if self.is_ordered:
            live.sort(key=lambda form: row_position(form["position"].value()))
        return live

    @property
    def removed_rows(self):
        return [form for form in self.forms if self.is_removed(form)]

    @property
    def explanations(self):
        """(the field's label, [(choice, what it means)]) for the fields whose choices are explained once."""
        fields = self.form.base_fields
        return [
            (fields[name].label, [(member.label, member.explanation) for member in choices])
            for name, choices in self.form.explained_once.items()
        ]

    @property
    def can_add(self):
        return len(self.rows) < self.max_num

    def clean(self):
        if min(self.total_form_count(), self.initial_form_count()) < 0:
            raise ValidationError(ERROR_ROWS_UNREADABLE, code="rows_unreadable", params={"rows": self.rows_name})
        super().clean()
        # The rows' positions become 0, 1, 2… in the order they are shown.
        if self.is_ordered:
            for rank, form in enumerate(self.rows):
                form.instance.position = rank

    def save_order(self):
        """Write the saved rows' places in the order shown (after a service that placed new rows itself)."""
        saved = [form.instance for form in self.rows if form.instance.pk]
        for rank, instance in enumerate(saved):
            instance.position = rank
        self.model.objects.bulk_update(saved, ["position"])

    def quiet(self):
        """Shown again after a row button: no errors, since nothing was asked to be saved."""
        self._errors = [ErrorDict() for _form in self.forms]
        self._non_form_errors = self.error_class(error_class="nonform", renderer=self.renderer)
        for form in self.forms:
            form._errors = ErrorDict()
            form.cleaned_data = {}
        return self


class StepFormSet(RowFormSet):
    rows_name = _("production steps")


class PieceMaterialFormSet(RowFormSet):
    cached_choice_fields = ("material", "certification")
    rows_name = _("materials")


class PieceImageFormSet(RowFormSet):
    rows_name = _("photos")

    def clean(self):
        super().clean()
        covers = [
            form for form in self.forms if form.cleaned_data.get("is_cover") and not form.cleaned_data.get("DELETE")
        ]
        if len(covers) > 1:
            raise ValidationError(ERROR_ONE_COVER, code="one_cover")
        if covers and covers[0].cleaned_data.get("is_process_photo"):
            covers[0].add_error("is_cover", ValidationError(ERROR_COVER_IS_PROCESS, code="cover_is_process"))


class OptionFormSet(RowFormSet):
    start_rows = 0
    rows_name = _("personalization options")


class ProcessPhotoRowFormSet(RowFormSet):
    rows_name = _("process photos")


def _formset(model, form, *, formset, max_num=20, owner=Piece):
    # Removed rows stay in the post as hidden inputs until the owner is saved, and an added row
    # reuses a removed new one: never more than twice the maximum, whatever the post says.
    return inlineformset_factory(
        owner,
        model,
        form=form,
        formset=formset,
        extra=0,
        can_delete=True,
        max_num=max_num,
        validate_max=True,
        absolute_max=2 * max_num,
    )


StepFormSet = _formset(ProductionStep, ProductionStepForm, formset=StepFormSet, max_num=7)
MaterialFormSet = _formset(PieceMaterial, PieceMaterialForm, formset=PieceMaterialFormSet)
ImageFormSet = _formset(PieceImage, PieceImageForm, formset=PieceImageFormSet)
OptionFormSet = _formset(PersonalizationOption, PersonalizationOptionForm, formset=OptionFormSet, max_num=5)

# The formsets of the piece form, by the prefix they post under.
PIECE_FORMSETS = {"steps": StepFormSet, "materials": MaterialFormSet, "photos": ImageFormSet, "options": OptionFormSet}

# The maker's process photos, on the application and the profile; at most as many as artisans allow.
MAKER_FORMSETS = {
    "photos": _formset(
        ProcessPhoto,
        ProcessPhotoForm,
        formset=ProcessPhotoRowFormSet,
        max_num=ProcessPhotoFormSet.max_num,
        owner=Artisan,
    )
}


ROW_VERBS = ("add", "remove", "keep", "up", "down")


def row_action(value, *, formsets):
    """
    A row button's value ("steps:add", "photos:remove:2") as (prefix, verb, index), or None when
    unknown; `formsets` are the form's formsets by prefix (PIECE_FORMSETS, MAKER_FORMSETS).
    """
    prefix, _sep, rest = str(value).partition(":")
    verb, _sep, index = rest.partition(":")
    if prefix not in formsets or verb not in ROW_VERBS:
        return None
    if verb == "add":
        return (prefix, verb, None) if not index else None
    if not index.isdigit() or len(index) > 4:
        return None
    return prefix, verb, int(index)


def rows_change(data, files, *, formsets, instance, action):
    """
    The posted data with one row added, removed, kept or moved in one of `formsets` (by prefix),
    the rows of `instance` (a piece, a maker); nothing is saved. Returns
    (data, focus, error): focus is (prefix, what, index), what being "field" (the row's first
    field) or the button to focus next ("add", "keep", "remove", "up", "down"); an error (the
    rows could not be read, or the list is full) leaves the data as it was.
    """
    prefix, verb, index = action
    data = data.copy()
    formset = formsets[prefix](data, files, instance=instance, prefix=prefix)
    total = formset.total_form_count()
    if not formset.management_form.is_valid() or min(total, formset.initial_form_count()) < 0:
        return data, None, ERROR_ROWS_UNREADABLE % {"rows": formset.rows_name}
    if index is not None and not 0 <= index < total:
        return data, None, None

    def key(i, name):
        return f"{prefix}-{i}-{name}"

    rows = formset.rows
    if verb == "add":
        if not formset.can_add:
            return data, None, ERROR_TOO_MANY_ROWS % {"max": formset.max_num, "rows": formset.rows_name}
        reusable = [i for i in range(formset.initial_form_count(), total) if formset.is_removed(formset.forms[i])]
        index = reusable[0] if reusable else total
        for name in [name for name in data if name.startswith(f"{prefix}-{index}-")]:
            del data[name]
        data[f"{prefix}-TOTAL_FORMS"] = str(max(total, index + 1))
        if formset.is_ordered:
            for rank, form in enumerate(rows):
                data[key(formset.index(form), "position")] = str(rank)
            data[key(index, "position")] = str(len(rows))
        return data, (prefix, "field", index), None
    if verb == "remove":
        data[key(index, "DELETE")] = "on"
        existing = index < formset.initial_form_count()
        return data, ((prefix, "keep", index) if existing else (prefix, "add", None)), None
    if verb == "keep":
        data.pop(key(index, "DELETE"), None)
        return data, (prefix, "remove", index), None
    # Up or down: swap the row with its neighbour in the order shown.
    order = [formset.index(form) for form in rows]
    if not formset.is_ordered or index not in order:
        return data, None, None
    place = order.index(index)
    other = place - 1 if verb == "up" else place + 1
    if 0 <= other < len(order):
        order[place], order[other] = order[other], order[place]
    for rank, i in enumerate(order):
        data[key(i, "position")] = str(rank)
    edge = order.index(index) in (0, len(order) - 1)
    turned = {"up": "down", "down": "up"}[verb] if edge and len(order) > 1 else verb
    return data, (prefix, turned, index), None
