"""
`get_FOO_display()` read from a table of labels made once per field.

Django's own flattens the field's choices and makes every one hashable on each
call: 40 to 70 µs, and a piece's sheet shows some 30 labels (its method,
availability, each material's kind and construction, each step and who did
it, the maker's kind and workshop). The table holds the labels as declared
(lazy translations), so each call still reads them in the active language.
"""

from functools import cache

from django.utils.encoding import force_str


@cache
def _labels(field):
    return dict(field.flatchoices)


class ChoiceLabels:
    """A model mixin, listed before `models.Model`, for every model whose fields have choices."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        try:
            label = _labels(field).get(value, value)
        except TypeError:  # a value that cannot be a dict key (a list, say): Django's way, which copes
            return super()._get_FIELD_display(field)
        return force_str(label, strings_only=True)
