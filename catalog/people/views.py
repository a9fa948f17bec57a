"""
A signed-in person's display name, at /accounts/name/. There is no id in the URL: the page reads and
writes only the signed-in person's own profile. A visitor is sent to sign in.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.generic import FormView

from catalog.models.people import NEUTRAL_NAME, public_name
from catalog.people.forms import DisplayNameForm
from catalog.people.services import profile_set_display_name

MESSAGE_SAVED = "Saved: makers now see you as “%(name)s”."


class DisplayNameView(LoginRequiredMixin, FormView):
    template_name = "people/name.html"
    form_class = DisplayNameForm

    def get_initial(self):
        # The name others see now, to edit from: a person who never chose one starts from "Ada L.".
        name = public_name(self.request.user)
        return {"display_name": "" if name == NEUTRAL_NAME else name}

    def get_context_data(self, **kwargs):
        return super().get_context_data(public_name=public_name(self.request.user), **kwargs)

    def form_valid(self, form):
        try:
            profile = profile_set_display_name(user=self.request.user, display_name=form.cleaned_data["display_name"])
        except ValidationError as refusal:
            form.add_error("display_name", refusal)
            return self.form_invalid(form)
        messages.success(self.request, MESSAGE_SAVED % {"name": profile.display_name})
        return redirect("people:name")

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)
