"""Factories for makers: approved by default, since most tests need a public maker."""

import factory
from django.contrib.auth import get_user_model

from artisans.choices import ArtisanStatus, MakerType, WorkshopSize
from artisans.models import Artisan


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("a-long-test-password")


class StaffFactory(UserFactory):
    is_staff = True
    is_superuser = True


class ArtisanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Artisan

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Maker {n}")
    slug = factory.Sequence(lambda n: f"maker-{n}")
    maker_type = MakerType.INDEPENDENT
    country = "PT"
    region = "Porto"
    workshop_size = WorkshopSize.SOLO
    bio = "Trained as a goldsmith in Lisbon."
    status = ArtisanStatus.APPROVED
