"""
The people room: how a person appears to others. Sign-up asks for the first and last names and an
optional display name (`forms.SignupNamesForm`, allauth's ACCOUNT_SIGNUP_FORM_CLASS); a signed-in
person changes their display name at /accounts/name/ (`views.DisplayNameView`, `forms.DisplayNameForm`);
both write through `services.profile_set_display_name`. A person's own data: /accounts/data/ says what
Atelier holds and /accounts/data/download/ gives it as JSON (`data.account_export`); /accounts/delete/
deletes a shopper's account with their password (`services.account_delete`: what is only theirs
removed, what makers and staff rely on kept anonymised, open requests withdrawn through the request
flow); a maker's account is closed by staff. `urls.py` (namespace "people") is included by
marketplace.urls, before allauth.

The rule for a name and `public_name`, which every page showing a person reads (through the template
filter `display_name`, catalog.templatetags.people), sit in the data layer (catalog.models.people), so
that the request pages and emails below this room can use them. It imports the data layer, allauth's
`EmailAddress`, the request flow (`catalog.personalization.flow.requests_shopper_left`, the one way a
request changes state) and the rate limit; only the admin (deleting a user) imports it (allauth names
its form in the settings, by a string).
"""
