"""
The shoppers room's pages for saved pieces and followed makers: the two toggles (`piece_save_toggle`,
`maker_follow_toggle`) and the two lists (`SavedView` at /saved/, `FollowingView` at /following/).

The toggles are POST only, CSRF-checked and rate-limited per account (or per session when not signed
in). With htmx they answer the new button alone; without JavaScript, a redirect back to the page the
button was on (a path of this site only) with a message. A piece or maker that is not public is a 404,
except to take out a save or follow the visitor already has: what they kept may be hidden later, and
they may still let go of it.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from artisans.models import Artisan
from catalog.listing import pieces_for_cards
from catalog.models import Piece
from catalog.shoppers import buttons, follows, saves
from catalog.shoppers.lists import followed_makers, following_piece_ids, saved_entries, saved_ids_newest_first
from marketplace.ratelimit import RateLimited, limit_hit, too_many_requests

MESSAGE_SAVED = "Saved “%(title)s”. You will find it under Saved."
MESSAGE_UNSAVED = "Removed “%(title)s” from your saved pieces."
MESSAGE_FOLLOWING = "You follow %(name)s: their new pieces appear under Following."
MESSAGE_UNFOLLOWED = "You no longer follow %(name)s."


def _wanted(raw: str | None, current: bool) -> bool | None:
    """The state the form asks for: `1` or `0`; none given toggles; anything else is None (refused)."""
    if raw is None or raw == "":
        return not current
    if raw in ("0", "1"):
        return raw == "1"
    return None


def _pressed(request, *, shown, every, slug: str, kept, field: str):
    """
    What a press on a Save or Follow control asks: its object, whether the object is public, and the
    state wanted (None for a value other than 1 or 0). `shown` holds the objects anyone may keep,
    `every` those a visitor may only let go of, if they keep them already (`kept(object)`): anything
    else is a 404, as is asking to keep what is not public.
    """
    target = shown.filter(slug=slug).first()
    public = target is not None
    if not public:
        target = every.filter(slug=slug).first()
        if target is None or not kept(target):
            raise Http404("Nothing by that name to keep.")
    wanted = _wanted(request.POST.get(field), kept(target))
    if wanted and not public:
        raise Http404("Nothing by that name to keep.")
    return target, public, wanted


def _back(request, default: str) -> str:
    """The page to go back to: `next` when it is a path of this site, else `default`."""
    back = request.POST.get("next", "")
    # A path only: another host, a scheme (javascript:), or a word `redirect` would read as a view name go to `default`.
    if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return default


def _visitor_key(request) -> str:
    """Whom the rate limit counts: the account, or the session (made now if the visitor has none yet)."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    if not request.session.session_key:
        request.session.save()
    return f"session:{request.session.session_key}"


def _htmx_answer(html) -> HttpResponse:
    response = HttpResponse(html)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_POST
def piece_save_toggle(request, slug):
    """Save a piece or take it out of the visitor's saves (their account's, or their session's)."""
    try:
        limit_hit(scope="save", key=_visitor_key(request), limit=settings.SAVES_PER_MINUTE, window=60)
    except RateLimited as error:
        return too_many_requests(request, error)
    piece, public, wanted = _pressed(
        request,
        shown=Piece.objects.published().only("pk", "slug", "title"),
        every=Piece.objects.only("pk", "slug", "title"),
        slug=slug,
        kept=lambda piece: saves.is_saved(request, piece),
        field=buttons.SAVE.field,
    )
    if wanted is None:
        return render(request, "400.html", status=400)
    if request.user.is_authenticated:
        saves.piece_save(shopper=request.user, piece=piece, saved=wanted)
    else:
        saves.session_piece_save(session=request.session, piece=piece, saved=wanted)
    saves.forget_saved(request)
    if request.htmx:
        return _htmx_answer(
            buttons.toggle_swap(buttons.SAVE, request=request, target=piece, name=piece.title, on=wanted)
        )
    messages.success(request, (MESSAGE_SAVED if wanted else MESSAGE_UNSAVED) % {"title": piece.title})
    return HttpResponseRedirect(_back(request, piece.get_absolute_url() if public else reverse("shoppers:saved")))


@require_POST
def maker_follow_toggle(request, slug):
    """Follow a maker or stop; a visitor who is not signed in is sent to sign in first, then back."""
    if not request.user.is_authenticated:
        login = redirect_to_login(_back(request, reverse("catalog:artisan_list")))
        if request.htmx:
            # htmx would swap the sign-in page into the button: the whole page goes there instead.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = login["Location"]
            return response
        return login
    try:
        limit_hit(scope="follow", key=_visitor_key(request), limit=settings.FOLLOWS_PER_MINUTE, window=60)
    except RateLimited as error:
        return too_many_requests(request, error)
    artisan, public, wanted = _pressed(
        request,
        shown=Artisan.objects.approved().only("pk", "slug", "name"),
        every=Artisan.objects.only("pk", "slug", "name"),
        slug=slug,
        kept=lambda artisan: artisan.pk in follows.followed_maker_ids(request),
        field=buttons.FOLLOW.field,
    )
    if wanted is None:
        return render(request, "400.html", status=400)
    follows.maker_follow(shopper=request.user, artisan=artisan, following=wanted)
    follows.forget_followed(request)
    if request.htmx:
        return _htmx_answer(
            buttons.toggle_swap(buttons.FOLLOW, request=request, target=artisan, name=artisan.name, on=wanted)
        )
    messages.success(request, (MESSAGE_FOLLOWING if wanted else MESSAGE_UNFOLLOWED) % {"name": artisan.name})
    return HttpResponseRedirect(_back(request, artisan.get_absolute_url() if public else reverse("shoppers:following")))


class SavedView(ListView):
    """
    The visitor's saved pieces, newest saved first, 24 a page: the listing's cards for the pieces
    still shown, a greyed line for the others. At most 9 queries whatever the number saved (the
    saves counted and paged, the page's pieces and whether each is public, their cards when the
    cache lacks them, the save buttons' state), besides the session and the user.
    """

    paginate_by = settings.PIECES_PER_PAGE
    template_name = "shoppers/saved.html"

    def get_queryset(self):
        return saved_ids_newest_first(self.request)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return {**context, "entries": saved_entries(list(context["page_obj"].object_list))}


class FollowingView(LoginRequiredMixin, ListView):
    """
    The newest published pieces of the makers the shopper follows, 24 a page, and the makers
    themselves with an unfollow button each. At most 9 queries whatever the number of either.
    """

    paginate_by = settings.PIECES_PER_PAGE
    template_name = "shoppers/following.html"

    def get_queryset(self):
        return following_piece_ids(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ids = list(context["page_obj"].object_list)
        return {
            **context,
            "pieces": pieces_for_cards(ids, Piece.objects.published()),
            "makers": followed_makers(self.request.user),
        }
