"""
Search synonyms: what shoppers also call a facet option, added by staff
(catalog.listing.vocabulary reads them with the options). Which facets and
values are allowed is the listing's to say: the admin's form checks them
(catalog.admin.taxonomy.SearchSynonymForm).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchSynonym(models.Model):
    phrase = models.CharField(
        _("words"), max_length=100, help_text=_("What a shopper types, e.g. “huggies” or “made in Oaxaca”.")
    )
    facet = models.CharField(_("filter"), max_length=40)
    value = models.CharField(_("option"), max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["phrase"]
        constraints = [models.UniqueConstraint(fields=["phrase", "facet", "value"], name="search_synonym_unique")]

    def __str__(self):
        return f"“{self.phrase}” → {self.facet}={self.value}"
