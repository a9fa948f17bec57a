"""
Object storage down or slow (marketplace.storage): every upload form refuses with a clear
message and saves nothing, and no upload waits on the storage past a bounded time.

The media storage is the site's own S3 storage (ResilientS3Storage, as with S3_BUCKET set)
pointed at an endpoint that cannot answer: a port where nothing listens (botocore's
EndpointConnectionError, for real), or a connection that times out (ConnectTimeoutError,
raised where botocore sends its request). The hostile suite's
tests/hostile/test_storage_outage.py does the same against a real S3 server under load.
"""

import datetime
import socket
import threading
import time

import pytest
from botocore.config import Config
from botocore.endpoint import Endpoint
from botocore.exceptions import ConnectTimeoutError
from django.urls import reverse
from django.utils import timezone

from artisans.choices import ArtisanStatus
from artisans.models import Artisan, ProcessPhoto
from artisans.tests.factories import ArtisanFactory, UserFactory
from artisans.tests.uploads import encoded, upload
from catalog.choices import PersonalizationKind
from catalog.models import PersonalizationRequest, Piece, PieceImage, RequestPhoto, RequestState
from catalog.tests.factories import CategoryFactory, MaterialFactory, PersonalizationOptionFactory, PieceFactory
from catalog.tests.request_helpers import request_in
from catalog.tests.studio_helpers import application_data, application_files, piece_data, piece_files
from marketplace.storage import ResilientS3Storage

pytestmark = pytest.mark.django_db

MESSAGE = "Your photos could not be stored just now, so nothing was saved."


def s3_storage(endpoint_url, **client):
    return {
        "BACKEND": "marketplace.storage.ResilientS3Storage",
        "OPTIONS": {
            "bucket_name": "atelier-media",
            "endpoint_url": endpoint_url,
            "region_name": "us-east-1",
            "access_key": "test",
            "secret_key": "test",
            "querystring_auth": False,
            "file_overwrite": False,
            "default_acl": None,
            "client_config": Config(
                **{"connect_timeout": 2, "read_timeout": 5, **client},
                retries={"total_max_attempts": 1, "mode": "standard"},
            ),
        },
    }


@pytest.fixture(autouse=True)
def breaker_closed():
    ResilientS3Storage.breaker.forget()
    yield
    ResilientS3Storage.breaker.forget()


@pytest.fixture(params=["refused", "timed out"])
def storage_down(request, settings, monkeypatch):
    """The media storage cannot be reached: connection refused, or the connection times out."""
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage("http://127.0.0.1:1")}
    if request.param == "timed out":

        def timed_out(self, request):
            raise ConnectTimeoutError(endpoint_url=request.url)

        monkeypatch.setattr(Endpoint, "_send", timed_out)
    return request.param


def refused_with_the_message(response):
    assert response.status_code in (200, 400), response.status_code
    assert MESSAGE in response.content.decode()


@pytest.fixture
def maker(client):
    artisan = ArtisanFactory()
    client.force_login(artisan.user)
    return artisan


def test_the_studio_refuses_a_piece_whose_photos_cannot_be_stored_and_saves_nothing(client, maker, storage_down):
    data = {**piece_data(category=CategoryFactory(), material=MaterialFactory()), **piece_files()}
    response = client.post(reverse("studio:piece_create"), data)
    refused_with_the_message(response)
    assert "Nothing was saved or published" not in response.content.decode()  # said once, by the message
    assert not Piece.objects.exists() and not PieceImage.objects.exists()


def test_the_profile_refuses_a_portrait_and_process_photos_that_cannot_be_stored(client, maker, storage_down):
    data = application_data(name="Oficina Nova")
    files = {**application_files(), "portrait": upload(encoded("JPEG"), "me.jpg")}
    response = client.post(reverse("studio:profile"), {**data, **files})
    refused_with_the_message(response)
    maker.refresh_from_db()
    assert maker.name != "Oficina Nova" and not maker.portrait and not maker.process_photos.exists()


def test_the_application_refuses_photos_that_cannot_be_stored_and_saves_no_maker(client, storage_down):
    client.force_login(UserFactory())
    response = client.post(reverse("studio:apply"), {**application_data(), **application_files()})
    refused_with_the_message(response)
    assert not Artisan.objects.exists() and not ProcessPhoto.objects.exists()


def test_a_request_whose_reference_photos_cannot_be_stored_is_not_sent(client, storage_down):
    piece = PieceFactory()
    option = PersonalizationOptionFactory(piece=piece, kind=PersonalizationKind.SIZING, max_characters=None)
    client.force_login(UserFactory())
    data = {
        "options": [str(option.pk)],
        "size": "52",
        "details": "Inside the band.",
        "budget": "300",
        "needed_by": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "photos": [upload(encoded("JPEG"), "ref.jpg")],
    }
    response = client.post(reverse("requests:create_for_piece", args=[piece.slug]), data)
    refused_with_the_message(response)
    assert not PersonalizationRequest.objects.exists() and not RequestPhoto.objects.exists()


def test_a_proof_that_cannot_be_stored_is_not_shared(client, storage_down):
    request = request_in(RequestState.ACCEPTED)
    client.force_login(request.artisan.user)
    response = client.post(
        reverse("studio:request_action", args=[request.pk, "share_proof"]),
        {"note": "Layout", "image": upload(encoded("PNG"), "proof.png")},
        follow=True,
    )
    refused_with_the_message(response)
    request.refresh_from_db()
    assert request.state == RequestState.ACCEPTED and not request.proof_image


def test_the_admin_refuses_a_portrait_that_cannot_be_stored_with_the_friendly_page(admin_client, storage_down):
    """The admin's forms, and any form that does not catch the storage's refusal: a 503 page, never a 500."""
    maker = ArtisanFactory(status=ArtisanStatus.APPROVED, name="Oficina Velha")
    url = reverse("admin:artisans_artisan_change", args=[maker.pk])
    page = admin_client.get(url)
    data = admin_form_data(page)
    response = admin_client.post(url, {**data, "name": "Oficina Nova", "portrait": upload(encoded("JPEG"), "me.jpg")})
    assert response.status_code == 503
    assert MESSAGE in response.content.decode()
    maker.refresh_from_db()
    assert maker.name == "Oficina Velha" and not maker.portrait


def admin_form_data(page):
    """What the admin's change form would post back unchanged: the form's and its inlines' values."""
    data = {}
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({formset.management_form.add_prefix(k): v for k, v in formset.management_form.initial.items()})
        forms += formset.forms
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or name in ("portrait", "image"):
                continue
            data[form.add_prefix(name)] = [str(v) for v in value] if isinstance(value, list) else value
    return data


# --- Bounded time, and the breaker ----------------------------------------------------------------------------------


class SilentEndpoint(threading.Thread):
    """An S3 endpoint that accepts connections and never answers (a storage that hangs), counting them."""

    def __init__(self):
        super().__init__(daemon=True)
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.held = []

    def run(self):
        while True:
            try:
                self.held.append(self.listener.accept()[0])
            except OSError:  # closed
                return

    def close(self):
        self.listener.close()
        for connection in self.held:
            connection.close()


@pytest.fixture
def silent_endpoint():
    endpoint = SilentEndpoint()
    endpoint.start()
    yield endpoint
    endpoint.close()


def test_a_storage_that_hangs_holds_an_upload_only_until_the_read_timeout_then_none_until_the_cool_down(
    client, maker, settings, silent_endpoint
):
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage(silent_endpoint.url, read_timeout=0.5)}
    data = application_data(name="Oficina Nova")
    started = time.monotonic()
    refused_with_the_message(client.post(reverse("studio:profile"), {**data, **application_files()}))
    # One attempt of 0.5 s, and the page (botocore's defaults would wait 60 s, five times over).
    assert time.monotonic() - started < 5
    assert len(silent_endpoint.held) == 1
    assert ResilientS3Storage.breaker.is_open

    # Refused at once: the breaker does not try the storage again during its cool-down.
    refused_with_the_message(client.post(reverse("studio:profile"), {**data, **application_files()}))
    assert len(silent_endpoint.held) == 1


@pytest.mark.renditions
def test_rendition_urls_need_no_round_trip_to_the_storage(settings, monkeypatch):
    """Pages keep rendering while the storage is away: a rendition's URL is computed, never asked for."""
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage("http://127.0.0.1:1")}
    settings.MEDIA_URL = "http://127.0.0.1:1/atelier-media/"

    def no_network(self, request):
        raise AssertionError(f"a page asked the storage: {request.url}")

    monkeypatch.setattr(Endpoint, "_send", no_network)
    image = PieceImage(piece=PieceFactory.build(), image="pieces/ab/abcdef.jpg", width=40, height=50)
    for rendition in (image.image_card, image.image_card_2x, image.image_display, image.image_thumb):
        assert rendition
        assert rendition.url.startswith("http://127.0.0.1:1/atelier-media/renditions/")
    assert image.image.url == "http://127.0.0.1:1/atelier-media/pieces/ab/abcdef.jpg"
