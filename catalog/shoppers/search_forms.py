"""
The forms of saved searches: saving a listing state, renaming a search, how often it is alerted.
Each validates what is posted and nothing more; the rules are the services' (catalog.shoppers.searches).
"""

from django import forms
from django.core.exceptions import ValidationError

from catalog.models.shoppers import SEARCH_QUERY_MAX_LENGTH, AlertFrequency
from catalog.shoppers.searches import ERROR_FREQUENCY, ERROR_NAME_EMPTY, ERROR_QUERY_TOO_LONG, name_clean


class SearchSaveForm(forms.Form):
    # The listing's canonical query, posted by the listing's own form; read again by its filters.
    query = forms.CharField(required=False, strip=True)

    def clean_query(self):
        query = self.cleaned_data["query"].lstrip("?")
        if len(query) > SEARCH_QUERY_MAX_LENGTH:
            raise ValidationError(ERROR_QUERY_TOO_LONG, code="query_too_long")
        return query


class SearchNameForm(forms.Form):
    # Not bounded by max_length here: name_clean says what is too long in the site's words.
    name = forms.CharField(label="Name", strip=False, error_messages={"required": ERROR_NAME_EMPTY})

    def clean_name(self):
        return name_clean(self.cleaned_data["name"])


class SearchFrequencyForm(forms.Form):
    frequency = forms.ChoiceField(
        label="Email me",
        choices=AlertFrequency.choices,
        error_messages={"invalid_choice": ERROR_FREQUENCY, "required": ERROR_FREQUENCY},
    )
