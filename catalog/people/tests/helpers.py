"""A shopper holding one of every kind of row Atelier keeps about a person, `count` times over."""

from allauth.account.models import EmailAddress
from django.utils import timezone

from artisans.tests.factories import ArtisanFactory, UserFactory
from catalog.models import Follow, Profile, RequestMessage, RequestPhoto, RequestState, SavedPiece, SavedSearch
from catalog.tests.factories import PersonalizationRequestFactory, PieceFactory, PieceReportFactory, image_file


def shopper_with_everything(tag: str, count: int = 2, *, photos: bool = True):
    """
    A shopper whose every row carries `tag` (in titles, names, messages), so that a test can tell whose
    data a page or a download holds. Each request has a reference photo and two messages, one each way.
    """
    user = UserFactory(first_name=f"First{tag}", last_name=f"Last{tag}", email=f"{tag.lower()}@mail.test")
    Profile.objects.create(user=user, display_name=f"Display {tag}")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    EmailAddress.objects.create(user=user, email=f"{tag.lower()}.second@mail.test", verified=False, primary=False)
    for n in range(count):
        piece = PieceFactory(title=f"Saved {tag} {n}")
        SavedPiece.objects.create(shopper=user, piece=piece)
        Follow.objects.create(shopper=user, artisan=ArtisanFactory(name=f"Followed {tag} {n}"))
        SavedSearch.objects.create(shopper=user, name=f"Search {tag} {n}", query=f"q=ring-{tag.lower()}-{n}")
        request = PersonalizationRequestFactory(
            shopper=user, piece=PieceFactory(title=f"Asked {tag} {n}"), details=f"Details {tag} {n}"
        )
        RequestMessage.objects.create(request=request, author=user, action="submit", body="")
        RequestMessage.objects.create(request=request, author=user, body=f"From shopper {tag} {n}")
        RequestMessage.objects.create(request=request, author=request.artisan.user, body=f"From maker {tag} {n}")
        if photos:
            RequestPhoto.objects.create(request=request, image=image_file(f"ref-{tag.lower()}-{n}.png"))
        PieceReportFactory(reporter=user, piece=PieceFactory(title=f"Reported {tag} {n}"), details=f"Report {tag} {n}")
    return user


def finished_request_of(user, **fields):
    """A completed request of `user`'s: nothing left to withdraw."""
    return PersonalizationRequestFactory(
        shopper=user, state=RequestState.COMPLETED, updated_at=timezone.now(), **fields
    )
