"""
The people room: how a person appears to others. Sign-up asks for the first and last names and an
optional display name (`forms.SignupNamesForm`, allauth's ACCOUNT_SIGNUP_FORM_CLASS); a signed-in
person changes their display name at /accounts/name/ (`views.DisplayNameView`, `forms.DisplayNameForm`);
both write through `services.profile_set_display_name`. `urls.py` (namespace "people") is included by
marketplace.urls.

The rule for a name and `public_name`, which every page showing a person reads (through the template
filter `display_name`, catalog.templatetags.people), sit in the data layer (catalog.models.people), so
that the request pages and emails below this room can use them. It imports the data layer only;
nothing in catalog imports it (allauth names its form in the settings, by a string).
"""
