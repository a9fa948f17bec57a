"""
Followed makers: the write (`maker_follow`) and the read (`followed_maker_ids`: which makers this
shopper follows, one query a request at most). Following needs an account: a visitor who is not
signed in follows nobody.
"""

from django.db import transaction

from artisans.models import Artisan
from catalog.models import Follow

_MEMO = "_shoppers_followed"


@transaction.atomic
def maker_follow(*, shopper, artisan: Artisan, following: bool) -> bool:
    """
    Follow `artisan`, or stop; the state wanted, not a toggle, so the same call twice changes
    nothing more (two tabs following at once make one row). Returns whether the shopper follows.
    """
    if following:
        Follow.objects.bulk_create([Follow(shopper=shopper, artisan=artisan)], ignore_conflicts=True)
    else:
        Follow.objects.filter(shopper=shopper, artisan=artisan).delete()
    return following


def followed_maker_ids(request) -> frozenset:
    """The ids of the makers this visitor follows: one query for a shopper, memoised on the request; none else."""
    if (ids := request.__dict__.get(_MEMO)) is None:
        ids = frozenset()
        if request.user.is_authenticated:
            ids = frozenset(Follow.objects.filter(shopper=request.user).order_by().values_list("artisan_id", flat=True))
        request.__dict__[_MEMO] = ids
    return ids


def forget_followed(request) -> None:
    """Drop the memo after a write, so the rest of the request reads the new state."""
    request.__dict__.pop(_MEMO, None)
