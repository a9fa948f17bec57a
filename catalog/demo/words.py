"""
How a demo piece reads: its title and slug, description, design story,
variation note and care instructions, each written only from what is true of
the piece (its metals, stones, techniques and finish), with the sentence parts
of `data`.

`pieces.plan_piece` calls these; `photos` borrows `what_it_is` for alt texts.
"""

from django.utils.text import slugify

from artisans.choices import MakerType
from catalog.choices import Availability, Construction, GemSource
from catalog.demo import data
from catalog.demo.materials import METALS_BY_SLUG, STONES_BY_SLUG
from catalog.demo.shares import HANDCRAFTED, MASS_PRODUCED

METAL_WORDS = {
    "sterling-silver": "Sterling",
    "fine-silver": "Fine Silver",
    "oxidised-silver": "Oxidised Silver",
    "platinum": "Platinum",
    "brass": "Brass",
    "bronze": "Bronze",
    "copper": "Copper",
    "stainless-steel": "Steel",
    "titanium": "Titanium",
}


# How a metal word reads after "in": "Tide Cuff in Sterling Silver", "Moon Pendant in Gold Vermeil".
METAL_NOUNS = {
    "Sterling": "Sterling Silver",
    "Steel": "Stainless Steel",
    "Vermeil": "Gold Vermeil",
    "Gold-Filled": "Gold Fill",
    "Gold-Plated": "Gold Plate",
    "Rhodium-Plated": "Rhodium Plate",
}


def metal_word(metals):
    """The metal as it reads in a title: 'Sterling', '18k Gold', 'Vermeil', 'Gold-Plated'."""
    top = metals[0]
    if top.construction == Construction.VERMEIL:
        return "Vermeil"
    if top.construction == Construction.GOLD_FILLED:
        return "Gold-Filled"
    if top.construction == Construction.PLATED:
        return "Rhodium-Plated" if top.slug == "rhodium" else "Gold-Plated"
    if top.slug.endswith("gold"):
        colour = {"yellow-gold": "", "white-gold": "White ", "rose-gold": "Rose "}[top.slug]
        return f"{top.purity} {colour}Gold" if top.purity in ("18k", "22k") else f"{colour}Gold"
    return METAL_WORDS[top.slug]


def metal_phrase(metals):
    """The metal as it reads in a sentence: 'recycled 18k yellow gold', 'gold vermeil over sterling silver'."""
    top = metals[0]
    name = METALS_BY_SLUG[top.slug][1].lower()
    if top.construction == Construction.SOLID:
        purity = f"{top.purity} " if top.slug.endswith("gold") else ""
        return f"{'recycled ' if top.recycled else ''}{purity}{name}"
    base = METALS_BY_SLUG[top.base][1].lower()
    if top.construction == Construction.VERMEIL:
        return f"{top.purity} gold vermeil ({top.microns} microns) over sterling silver"
    if top.construction == Construction.GOLD_FILLED:
        return f"{top.purity} gold-filled {base}"
    return f"{base} plated with {name} ({top.microns} microns)"


PLURALS = {
    "turquoise": "turquoise cabochons",
    "black onyx": "onyx cabochons",
    "lapis lazuli": "lapis cabochons",
    "blue topaz": "blue topazes",
    "cubic zirconia": "cubic zirconia stones",
}


def stone_name(stone, plural=False):
    name = STONES_BY_SLUG[stone.slug][1]
    # Lower-case in a sentence, except the names of places: "Tahitian pearl", "South Sea pearl".
    if not name.startswith(("Tahitian", "Akoya", "South Sea")):
        name = name.lower()
    if plural:
        name = PLURALS.get(name, name + "s")
    if stone.source == GemSource.LAB_GROWN and stone.slug != "cubic-zirconia":
        name = f"lab-grown {name}"
    return name


def stone_phrase(stones):
    """', set with a 0.45 ct sapphire and 6 lab-grown diamonds'; pearls are counted, not weighed."""
    if not stones:
        return ""
    parts = []
    for stone in stones:
        pearl = STONES_BY_SLUG[stone.slug][4] == "pearl"
        if stone.count > 1:
            parts.append(f"{stone.count} {stone_name(stone, plural=True)}")
        elif pearl:
            parts.append(with_article(stone_name(stone)))
        else:
            parts.append(f"a {stone.carats:.2f} ct {stone_name(stone)}")
    return ", set with " + " and ".join(parts)


def with_article(words):
    return f"{'an' if words[0] in 'aeiou' else 'a'} {words}"


def make_title(rng, maker, method, metals, stones, techniques, finish, noun):
    """A believable product name from one of a dozen patterns, using only what is true of the piece."""
    words = {
        "noun": noun,
        "metal": metal_word(metals),
        "finish": rng.choice(data.FINISH_WORDS[finish]),
        # Never "Moon Moon Necklace": a motif already in the noun is left out.
        "motif": rng.choice([motif for motif in data.MOTIFS if motif not in noun]),
        "name": rng.choice(data.NAMES),
        "adjective": rng.choice(data.ADJECTIVES),
        "place": rng.choice(maker.profile["places"]),
    }
    words["metal_noun"] = METAL_NOUNS.get(words["metal"], words["metal"])
    patterns = [
        "{finish} {metal} {noun}",
        "{motif} {noun}",
        "{name} {noun}",
        "The {name} {noun}",
        "{metal} {motif} {noun}",
        "{adjective} {noun}",
        "{motif} {noun} in {metal_noun}",
        "{adjective} {finish} {noun}",
        "{adjective} {metal} {noun}",
    ]
    if stones:
        stone = STONES_BY_SLUG[stones[0].slug][1].replace("Black ", "").title()
        # "Akoya Pearl Strand", not "Akoya Pearl Pearl Strand".
        words["stone"] = stone.replace(" Pearl", "") if "Pearl" in noun else stone
        patterns += [
            "{stone} {noun}",
            "{stone} and {metal} {noun}",
            "{name} {stone} {noun}",
            "{adjective} {stone} {noun}",
        ]
    crafted = [data.TECHNIQUE_WORDS[t] for t in techniques if t in data.TECHNIQUE_WORDS and t != "lost-wax-casting"]
    if crafted and method != MASS_PRODUCED:
        words["technique"] = rng.choice(crafted)
        patterns += ["{place} {technique} {noun}", "{technique} {metal} {noun}", "{technique} {motif} {noun}"] * 2
    if method != MASS_PRODUCED:
        patterns.append("{place} {noun}")
    title = rng.choice(patterns).format(**words)
    return title.replace("Gold Gold", "Gold")[:150]


def unique_piece_slug(title, taken):
    base = slugify(title)[:150] or "piece"
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


def describe(rng, method, shape, variant, noun, metals, stones, finish):
    made = rng.choice(data.MADE_PHRASES[method])
    surface = {
        "hammered": "The surface keeps the marks of the hammer.",
        "brushed": "The surface is brushed to a soft satin.",
        "polished": f"{'They are' if is_pair(noun) else 'It is'} polished to a bright shine.",
    }[finish]
    details = data.VARIANT_DETAILS.get((shape, variant), []) * 2 + data.DETAILS[shape]
    if (shape, variant) == ("pendant", 4):
        details = data.VARIANT_DETAILS[(shape, variant)]
    detail = rng.choice(details).format(length=rng.choice([40, 45, 50]), wrist=rng.choice([16, 17, 18]))
    what = what_it_is(shape, variant, noun, metals, stones)
    # Not str.capitalize(): it would lower-case "South Sea" and "Akoya".
    return f"{what[0].upper()}{what[1:]}, {made}. {surface} {detail}"


def what_it_is(shape, variant, noun, metals, stones):
    """'a pair of studs in sterling silver, set with 2 garnets'; a pearl strand is pearls with a clasp."""
    if (shape, variant) == ("pendant", 4):
        pearls = stones[0]
        return f"a strand of {pearls.count} {stone_name(pearls, plural=True)} with a clasp in {metal_phrase(metals)}"
    what = f"a pair of {noun.lower()}" if is_pair(noun) else with_article(noun.lower())
    return f"{what} in {metal_phrase(metals)}{stone_phrase(stones)}"


def is_pair(noun):
    """Earrings and cufflinks come in pairs, and their nouns are plural: 'Studs', 'Round Cufflinks'."""
    return noun.endswith("s")


def design_story(rng, maker, method, noun, finish):
    if method == MASS_PRODUCED and rng.random() < 0.6:
        return ""
    inspiration = rng.choice(data.INSPIRATIONS).format(region=maker.artisan.region.split(",")[0])
    who = maker.first_name if maker.maker_type == MakerType.INDEPENDENT else "The studio"
    if maker.maker_type == MakerType.BRAND:
        who = "Our design team"
    pair = is_pair(noun)
    opening = rng.choice(data.STORY_OPENINGS).format(
        maker=who,
        noun=noun.lower(),
        inspiration=inspiration,
        this="these" if pair else "this",
        This="These" if pair else "This",
        are="are" if pair else "is",
    )
    followup = rng.choice(data.STORY_FOLLOWUPS[method])
    if finish == "hammered" and method == HANDCRAFTED and rng.random() < 0.5:
        followup = "The texture is left exactly as the hammer made it."
    return f"{opening} {followup}"


def variation_note(rng, method, availability, stones):
    """
    How this piece will differ from its photo: the making for handwork, the stones when there are
    natural ones. A one-of-a-kind piece is the one photographed, so it has none (Piece.clean's rule);
    its notes are drawn all the same, so that the pieces after it stay as the seed has made them.
    """
    notes = [rng.choice(data.VARIATION_NOTES[method])]
    if any(stone.source == GemSource.NATURAL for stone in stones) and method != MASS_PRODUCED:
        notes.append(rng.choice(data.STONE_VARIATION_NOTES))
    if availability == Availability.ONE_OF_A_KIND:
        return ""
    return " ".join(note for note in notes if note)


def care_instructions(metals, stones, techniques):
    top = metals[0]
    family = METALS_BY_SLUG[top.slug][3]
    if top.construction != Construction.SOLID:
        key = top.construction
    elif top.slug == "oxidised-silver":
        key = "oxidised"
    elif top.slug in ("stainless-steel", "titanium"):
        key = "steel"
    else:
        key = {"silver": "silver", "gold": "gold", "platinum": "platinum"}.get(family, "base")
    parts = [data.CARE[key]]
    if any(STONES_BY_SLUG[s.slug][4] == "pearl" for s in stones):
        parts.append(data.CARE["pearl"])
    elif stones:
        parts.append(data.CARE["stone"])
    if "enameling" in techniques:
        parts.append(data.CARE["enamel"])
    return " ".join(parts)
