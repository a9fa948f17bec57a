"""
The names a person gives: at sign-up (first name, last name, an optional display name) and on their
account page (the display name). Each name goes through `name_clean` (catalog.models.people): spaces
collapsed, within its length, no email address, no invisible characters. There is no `maxlength` on the
inputs: a name pasted too long is refused with its length, never cut without a word.
"""

from django import forms

from catalog.models.people import DISPLAY_NAME_MAX_LENGTH, ERROR_NAME_BLANK, PERSON_NAME_MAX_LENGTH, name_clean
from catalog.people.services import profile_set_display_name

HELP_DISPLAY_NAME = (
    "This is what makers see, on your requests and in their threads; never your email address. "
    f"Up to {DISPLAY_NAME_MAX_LENGTH} characters."
)
HELP_DISPLAY_NAME_SIGNUP = (
    "What makers see on your requests and in their threads. Leave it empty to appear as your first name "
    "and the initial of your last name (such as “Ada L.”); never as your email address."
)


def display_name_field(*, required: bool, help_text: str) -> forms.CharField:
    return forms.CharField(
        label="Display name" if required else "Display name (optional)",
        required=required,
        error_messages={"required": ERROR_NAME_BLANK},
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )


class SignupNamesForm(forms.Form):
    """
    The names allauth's sign-up asks for (ACCOUNT_SIGNUP_FORM_CLASS: allauth's SignupForm inherits from
    this form). allauth's adapter stores the first and last names on the user; `signup` makes the profile.
    """

    first_name = forms.CharField(
        label="First name",
        error_messages={"required": "Write your first name: makers greet you by it."},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label="Last name (optional)",
        required=False,
        help_text="Makers see only its initial.",
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    display_name = display_name_field(required=False, help_text=HELP_DISPLAY_NAME_SIGNUP)

    field_order = ["first_name", "last_name", "display_name", "email", "password1", "password2"]

    def clean_first_name(self):
        return name_clean(self.cleaned_data["first_name"], max_length=PERSON_NAME_MAX_LENGTH)

    def clean_last_name(self):
        return name_clean(self.cleaned_data["last_name"], max_length=PERSON_NAME_MAX_LENGTH, required=False)

    def clean_display_name(self):
        return name_clean(self.cleaned_data["display_name"], required=False)

    def signup(self, request, user):
        """Called by allauth once the user is saved, in the sign-up request's transaction."""
        profile_set_display_name(user=user, display_name=self.cleaned_data["display_name"])


class DisplayNameForm(forms.Form):
    """A signed-in person's display name; whose it is comes from the request, never from the form."""

    display_name = display_name_field(required=True, help_text=HELP_DISPLAY_NAME)

    def clean_display_name(self):
        return name_clean(self.cleaned_data["display_name"])


PASSWORD_MAX_LENGTH = 4096  # longer than any password a person types; refused without hashing it
ERROR_PASSWORD_WRONG = "That is not your password: nothing was deleted."
ERROR_PASSWORD_EMPTY = "Type your password to confirm: nothing was deleted."


class AccountDeleteForm(forms.Form):
    """The signed-in person's password, the one proof that the person at the keyboard owns the account."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        error_messages={"required": ERROR_PASSWORD_EMPTY, "max_length": ERROR_PASSWORD_WRONG},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(ERROR_PASSWORD_WRONG, code="wrong_password")
        return password
