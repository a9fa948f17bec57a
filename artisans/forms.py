"""
The maker's own forms: the application to sell and the profile, with the
workshop's process photos. The catalog's studio extends the application with
techniques and traditions (catalog models), keeping imports one way.
"""

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from .models import Artisan, ProcessPhoto

APPLICATION_FIELDS = [
    "name",
    "maker_type",
    "country",
    "region",
    "bio",
    "statement",
    "workshop_size",
    "labor_practices",
]


class ArtisanApplicationForm(forms.ModelForm):
    """Who the maker is and how they work: everything staff read before approving."""

    class Meta:
        model = Artisan
        fields = APPLICATION_FIELDS
        labels = {"name": _("Name shoppers will see"), "region": _("Region or city")}
        widgets = {
            "maker_type": forms.RadioSelect,
            "workshop_size": forms.RadioSelect,
            "bio": forms.Textarea(attrs={"rows": 4}),
            "statement": forms.Textarea(attrs={"rows": 4}),
            "labor_practices": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Staff judge an application on these; the model allows them blank for makers staff add.
        for name in ("region", "bio", "statement", "labor_practices"):
            self.fields[name].required = True


class ArtisanProfileForm(ArtisanApplicationForm):
    """The profile an approved maker keeps up to date in the studio."""

    class Meta(ArtisanApplicationForm.Meta):
        fields = [*APPLICATION_FIELDS, "founded_year", "portrait"]


# The fields and the most photos a maker keeps; the studio shows them as rows it adds, removes
# and moves (catalog.studio.forms.MAKER_FORMSETS).
ProcessPhotoFormSet = inlineformset_factory(
    Artisan,
    ProcessPhoto,
    fields=["image", "alt_text", "caption", "position"],
    extra=2,
    can_delete=True,
    max_num=20,
    validate_max=True,
)
