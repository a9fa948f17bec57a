"""
Fixtures shared by every test: media in a temporary folder, a clean cache, no piece views held over,
email through the outbox, photos' renditions made only where a test asks for them.
"""

import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads and renditions go to a folder of the test's own, never to the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def renditions_only_where_asked(request, monkeypatch):
    """
    A saved photo's four WebP renditions (artisans.images: made on save in production, imagekit's
    Optimistic strategy) cost about 140 ms a photo, most of what a test's photos cost, and most tests
    never open them: their pages name the renditions' files, which need not exist. So a test makes
    none unless it is marked `renditions` (the demo seed, the storage's outage, the uploads); pages
    still believe every rendition exists, as the Optimistic strategy does.
    """
    if request.node.get_closest_marker("renditions"):
        return
    from artisans.images import Rendition

    # A strategy with no callbacks: nothing generated on save; existence not verified (imagekit's default).
    monkeypatch.setattr(Rendition, "cachefile_strategy", {})


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many users; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def piece_views_held(settings):
    """Piece views stay in memory during a test (no write at a random moment); tests of the counter set 0."""
    from catalog.pages import view_counts as piece_views

    settings.PIECE_VIEWS_FLUSH_SECONDS = 10**9
    piece_views.forget()
    yield
    piece_views.forget()


@pytest.fixture(autouse=True)
def email_through_the_outbox(settings):
    """
    Every email is queued in the outbox as in production (Django's test runner had put the locmem
    backend in its place), and delivered at once through locmem, so `mail.outbox` fills as before.
    """
    from catalog.outbox.delivery import mail_server

    settings.EMAIL_BACKEND = "catalog.outbox.backend.OutboxBackend"
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.OUTBOX_DELIVER = "at_once"
    mail_server.forget()  # a test's unreachable server does not keep the next test's requests from sending
