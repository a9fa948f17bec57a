"""
A signed-in person's own account pages, under /accounts/: their display name (`DisplayNameView`),
what Atelier holds about them and its download as JSON (`DataView`, `data_download`), and deleting
their account (`AccountDeleteView`). There is no id in any URL: each page reads and writes only the
signed-in person's own data. A visitor is sent to sign in.
"""

import json
from email.utils import parseaddr

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.generic import FormView, TemplateView

from catalog.models.people import NEUTRAL_NAME, public_name
from catalog.people.data import account_export
from catalog.people.forms import AccountDeleteForm, DisplayNameForm
from catalog.people.services import account_delete, is_maker, profile_set_display_name
from marketplace.ratelimit import RateLimited, limit_hit, too_many_requests

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


# --- Your data ---------------------------------------------------------------------

DATA_DOWNLOADS_PER_HOUR = 20
DELETE_ATTEMPTS_PER_WINDOW = 5
DELETE_ATTEMPTS_WINDOW = 15 * 60
MESSAGE_DELETED = "Your account is deleted. Thank you for the time you spent on Atelier."


def contact_address() -> str:
    """The address people write to about their account: the one the site's email comes from."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


class DataView(LoginRequiredMixin, TemplateView):
    """What Atelier holds about the signed-in person, and the link to download it."""

    template_name = "people/data.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(maker=is_maker(self.request.user), contact=contact_address(), **kwargs)


@require_GET
@login_required
def data_download(request):
    """Everything Atelier holds about the signed-in person, as a JSON attachment (catalog.people.data)."""
    try:
        limit_hit(scope="data_download", key=request.user.pk, limit=DATA_DOWNLOADS_PER_HOUR, window=3600)
    except RateLimited as error:
        return too_many_requests(request, error)
    data = account_export(user=request.user, absolute=request.build_absolute_uri)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="atelier-data-{timezone.localdate():%Y-%m-%d}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


class AccountDeleteView(LoginRequiredMixin, FormView):
    """
    Deleting one's own account, with the password; the page says first what goes and what stays. A
    maker is told their account is closed through staff, and a POST of theirs is refused (403). Wrong
    passwords are limited to DELETE_ATTEMPTS_PER_WINDOW per person and window (429 past it).
    """

    template_name = "people/delete.html"
    form_class = AccountDeleteForm

    def dispatch(self, request, *args, **kwargs):
        self.maker = request.user.is_authenticated and is_maker(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            maker=self.maker,
            contact=contact_address(),
            has_password=self.request.user.has_usable_password(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if self.maker:
            return self.render_to_response(self.get_context_data(), status=403)
        try:
            limit_hit(
                scope="account_delete",
                key=request.user.pk,
                limit=DELETE_ATTEMPTS_PER_WINDOW,
                window=DELETE_ATTEMPTS_WINDOW,
            )
        except RateLimited as error:
            return too_many_requests(request, error)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            account_delete(user=self.request.user, contact=contact_address())
        except ValidationError as refusal:
            form.add_error(None, refusal)
            return self.form_invalid(form)
        logout(self.request)
        messages.success(self.request, MESSAGE_DELETED)
        return redirect("catalog:home")

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)
