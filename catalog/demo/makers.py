"""
The demo's makers: independent artisans, studios and brands from many
countries, each with a user account that cannot log in, a profile written in
the domain's terms, the techniques and traditions they work in, their
certifications and, for some, photos of their workshop.

Everything is planned in memory as unsaved model instances; `build` saves
them in bulk.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils.text import slugify

from artisans.choices import ArtisanStatus, MakerType, WorkshopSize
from artisans.models import Artisan, ProcessPhoto
from catalog.demo import data
from catalog.demo.images import process_photo_name
from catalog.demo.workshop import CAPTIONS, ProcessDrawing
from catalog.models import MakerCertification

USERNAME_PREFIX = "demo-"
CURATOR_USERNAME = "demo-curator"

# How the pieces of each kind of maker are usually made; see pieces.METHOD_SHARES.
SHARE_OF_PIECES = {MakerType.INDEPENDENT: 1.0, MakerType.STUDIO: 1.5, MakerType.BRAND: 2.5}

# The few workshop photos every maker's gallery draws from: a bench, stones, sketches and waxes.
WORKSHOP_PHOTOS = [
    ProcessDrawing("bench", variant=0),
    ProcessDrawing("bench", variant=1),
    ProcessDrawing("stones", variant=0),
    ProcessDrawing("sketch", shape="ring"),
    ProcessDrawing("sketch", shape="pendant"),
    ProcessDrawing("wax", shape="ring"),
    ProcessDrawing("wax", shape="pendant"),
]


@dataclass
class Maker:
    """An artisan about to be saved, with what the pieces generator needs to know about it."""

    user: object
    artisan: Artisan
    profile: dict
    first_name: str
    rate: int
    weight: float
    techniques: list = field(default_factory=list)
    traditions: list = field(default_factory=list)
    certifications: list = field(default_factory=list)
    photos: list = field(default_factory=list)

    @property
    def maker_type(self):
        return self.artisan.maker_type

    @property
    def is_pending(self):
        return self.artisan.status == ArtisanStatus.PENDING


def maker_count(pieces):
    """At least 40 makers; about 40 pieces each once the catalog grows past 1,600 pieces."""
    return max(40, pieces // 40)


def plan_makers(rng, count, *, curator, reference, slugs_taken, usernames_taken):
    types = maker_types(rng, count)
    countries = assign_countries(rng, types)
    statuses = assign_statuses(rng, count)
    brand_names = iter(rng.sample(data.BRAND_NAMES, len(data.BRAND_NAMES)))
    makers = []
    for index, (maker_type, country) in enumerate(zip(types, countries, strict=False)):
        profile = data.COUNTRIES[country]
        name, first = maker_name(rng, maker_type, profile, brand_names, index)
        slug = unique_slug(slugify(name) or f"maker-{index}", slugs_taken)
        username = unique_slug(f"{USERNAME_PREFIX}{slug}", usernames_taken)
        maker = plan_maker(
            rng,
            maker_type,
            country,
            profile,
            name,
            first,
            slug,
            username,
            statuses[index],
            curator=curator,
            reference=reference,
        )
        makers.append(maker)
    link_every_tradition(makers)
    return makers


def link_every_tradition(makers):
    """
    Give each tradition at least one maker from its country, when there is one,
    so that the heritage filters have something to show at any seed.
    """
    linked = {slug for maker in makers for slug in maker.traditions}
    for slug, *_rest in data.TRADITIONS:
        if slug in linked:
            continue
        for maker in makers:
            if slug in maker.profile["traditions"] and maker.maker_type != MakerType.BRAND and not maker.is_pending:
                maker.traditions.append(slug)
                for technique in tradition_techniques(slug):
                    if technique not in maker.techniques:
                        maker.techniques.insert(0, technique)
                break


def maker_types(rng, count):
    """About 15% brands and 30% studios, the rest independent artisans, shuffled."""
    brands = max(3, round(count * 0.15))
    studios = max(4, round(count * 0.3))
    types = [MakerType.BRAND] * brands + [MakerType.STUDIO] * studios
    types += [MakerType.INDEPENDENT] * (count - len(types))
    rng.shuffle(types)
    return types


def assign_countries(rng, types):
    """Cycle through every country for artisans and studios, so 40 makers already span them all."""
    crafts = list(data.COUNTRIES)
    rng.shuffle(crafts)
    brands = [code for code in crafts if data.COUNTRIES[code]["brands"]]
    countries, next_craft, next_brand = [], 0, 0
    for maker_type in types:
        if maker_type == MakerType.BRAND:
            countries.append(brands[next_brand % len(brands)])
            next_brand += 1
        else:
            countries.append(crafts[next_craft % len(crafts)])
            next_craft += 1
    return countries


def assign_statuses(rng, count):
    """Most makers approved; a few pending review (2 at the default size) and one suspended per 40."""
    pending = max(2, count // 20)
    suspended = max(1, count // 40)
    statuses = [ArtisanStatus.APPROVED] * count
    chosen = rng.sample(range(count), pending + suspended)
    for index in chosen[:pending]:
        statuses[index] = ArtisanStatus.PENDING
    for index in chosen[pending:]:
        statuses[index] = ArtisanStatus.SUSPENDED
    return statuses


def maker_name(rng, maker_type, profile, brand_names, index):
    """A person's name, a workshop's name in the country's language, or an invented brand."""
    given, family = rng.choice(profile["given"]), rng.choice(profile["family"])
    if maker_type == MakerType.INDEPENDENT:
        name = f"{given} {family}"
        if rng.random() < 0.25:
            name += rng.choice([" Jewellery", " Metalwork", " Goldsmith"])
        return name, given
    if maker_type == MakerType.STUDIO:
        pattern = rng.choice(profile["studio"])
        return pattern.format(family=family, place=rng.choice(profile["regions"]).split(",")[0]), given
    name = next(brand_names, None) or f"{rng.choice(data.MOTIFS)} & {rng.choice(data.MOTIFS)} {index}"
    return name, name


def unique_slug(slug, taken):
    candidate, n = slug, 2
    while candidate in taken:
        candidate = f"{slug}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


def plan_maker(rng, maker_type, country, profile, name, first, slug, username, status, *, curator, reference):
    size = workshop_size(rng, maker_type)
    team = {
        WorkshopSize.SOLO: 1,
        WorkshopSize.SMALL_TEAM: rng.randint(2, 10),
        WorkshopSize.STUDIO: rng.randint(11, 50),
        WorkshopSize.FACTORY: rng.randint(60, 400),
    }[size]
    founded = founded_year(rng, maker_type)
    region = rng.choice(profile["regions"])
    words = {
        "name": name,
        "region": region,
        "founded": founded,
        "team": team,
        "pronoun_pos": rng.choice(data.PRONOUNS),
        "elder": rng.choice(data.ELDERS),
    }
    verified = status == ArtisanStatus.APPROVED and rng.random() < 0.65
    user = get_user_model()(
        username=username,
        email=f"{username}@example.com",
        first_name=first if maker_type == MakerType.INDEPENDENT else "",
        last_name=name.split(" ", 1)[1] if maker_type == MakerType.INDEPENDENT and " " in name else "",
        # Demo accounts must never be a way in: an unusable password, like set_unusable_password().
        password=make_password(None),
    )
    artisan = Artisan(
        name=name,
        slug=slug,
        maker_type=maker_type,
        bio=rng.choice(data.BIO_TEMPLATES[maker_type]).format(**words),
        statement=rng.choice(data.STATEMENTS[maker_type]),
        country=country,
        region=region,
        founded_year=founded,
        workshop_size=size,
        labor_practices=rng.choice(data.LABOR_PRACTICES[size]).format(**words),
        status=status,
        is_verified=verified,
        verified_by=curator if verified else None,
        verified_at=reference - datetime.timedelta(days=rng.randint(20, 400)) if verified else None,
    )
    maker = Maker(
        user=user,
        artisan=artisan,
        profile=profile,
        first_name=first,
        rate=profile["rate"],
        weight=SHARE_OF_PIECES[maker_type] * rng.uniform(0.5, 1.5) * (0.3 if status == ArtisanStatus.PENDING else 1),
    )
    maker.techniques = signature_techniques(rng, maker_type, profile)
    maker.traditions = maker_traditions(rng, maker_type, profile)
    maker.certifications = maker_certifications(rng, maker_type, size)
    maker.photos = workshop_photos(rng, maker_type)
    return maker


def workshop_size(rng, maker_type):
    if maker_type == MakerType.INDEPENDENT:
        return WorkshopSize.SOLO if rng.random() < 0.8 else WorkshopSize.SMALL_TEAM
    if maker_type == MakerType.STUDIO:
        return WorkshopSize.SMALL_TEAM if rng.random() < 0.6 else WorkshopSize.STUDIO
    return WorkshopSize.FACTORY if rng.random() < 0.7 else WorkshopSize.STUDIO


def founded_year(rng, maker_type):
    low, high = {MakerType.INDEPENDENT: (1985, 2023), MakerType.STUDIO: (1950, 2020), MakerType.BRAND: (1990, 2022)}[
        maker_type
    ]
    return rng.randint(low, high)


def signature_techniques(rng, maker_type, profile):
    """The techniques a maker is known for: their country's traditional ones first, then bench skills."""
    if maker_type == MakerType.BRAND:
        industrial = ["injection-casting", "die-stamping", "cnc-milling", "electroplating", "laser-engraving"]
        return rng.sample(industrial, 2) + ["cad-modelling"]
    own = []
    for tradition in profile["traditions"]:
        own += [slug for slug in tradition_techniques(tradition) if slug not in own]
    others = [slug for slug in data.HANDWORK_TECHNIQUES if slug not in own]
    return own + rng.sample(others, rng.randint(1, 3))


def tradition_techniques(slug):
    return next(techniques for s, *_rest, techniques in data.TRADITIONS if s == slug)


def maker_traditions(rng, maker_type, profile):
    if maker_type == MakerType.BRAND or not profile["traditions"]:
        return []
    return list(profile["traditions"]) if rng.random() < 0.9 else []


def maker_certifications(rng, maker_type, size):
    """(certification slug, certificate number, verified) for the maker's claims."""
    options = {
        MakerType.BRAND: [
            ("rjc-code-of-practices", 0.5),
            ("rjc-chain-of-custody", 0.3),
            ("living-wage-employer", 0.15),
        ],
        MakerType.STUDIO: [("wfto-guaranteed-fair-trade", 0.25), ("living-wage-employer", 0.3), ("fairmined", 0.15)],
        MakerType.INDEPENDENT: [("fairmined", 0.15), ("fairtrade-gold", 0.1)],
    }[maker_type]
    claims = []
    for slug, chance in options:
        if rng.random() < chance:
            number = f"{slug[:3].upper()}-{rng.randint(10000, 99999)}" if rng.random() < 0.75 else ""
            claims.append((slug, number, rng.random() < 0.6))
    return claims


def workshop_photos(rng, maker_type):
    """Some artisans and studios show their workshop; brands rarely do."""
    chance = 0.1 if maker_type == MakerType.BRAND else 0.4
    if rng.random() >= chance:
        return []
    return rng.sample(WORKSHOP_PHOTOS, rng.randint(1, 3))


def process_photo_rows(maker, producer):
    """Unsaved ProcessPhoto rows for the maker's workshop photos; their files go to the producer."""
    rows = []
    for position, drawing in enumerate(maker.photos):
        name = producer.submit(process_photo_name(drawing), drawing)
        rows.append(
            ProcessPhoto(
                artisan_id=maker.artisan.pk,
                image=name,
                alt_text=drawing.alt_text("piece"),
                caption=f"{CAPTIONS[drawing.kind]}, {maker.artisan.region}",
                position=position,
            )
        )
    return rows


def certification_rows(maker, certifications):
    return [
        MakerCertification(
            artisan_id=maker.artisan.pk,
            certification=certifications[slug],
            certificate_number=number,
            is_verified=verified,
        )
        for slug, number, verified in maker.certifications
    ]
