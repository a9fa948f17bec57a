"""Form data for the studio's tests: a valid application and a valid piece, as a browser would post them."""

from artisans.tests.uploads import encoded, upload
from catalog.choices import Availability, MadeBy, ProductionMethod, ProductionStepKind, StepDoneBy


def management(prefix, total, initial=0):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial)}


def application_data(**overrides):
    data = {
        "name": "Oficina Ferro",
        "maker_type": "independent",
        "country": "PT",
        "region": "Porto",
        "bio": "Trained as a goldsmith in Lisbon.",
        "statement": "I forge every band from recycled silver.",
        "workshop_size": "solo",
        "labor_practices": "I work alone and pay myself a living wage.",
        **management("photos", 1),
        "photos-0-alt_text": "My bench with saw and files",
        "photos-0-position": "0",
    }
    data.update(overrides)
    return data


def application_files():
    return {"photos-0-image": upload(encoded("JPEG"), "bench.jpg")}


def piece_data(*, category, material, **overrides):
    data = {
        "title": "Hand-forged ring",
        "category": str(category.pk),
        "description": "A band forged from recycled silver wire.",
        "production_method": ProductionMethod.HANDCRAFTED,
        "made_by": MadeBy.ARTISAN,
        "production_partner": "",
        "availability": Availability.ONE_OF_A_KIND,
        "stock": "1",
        "price": "180.00",
        "warranty_months": "12",
        **management("steps", 2),
        "steps-0-step": ProductionStepKind.FABRICATION,
        "steps-0-done": StepDoneBy.BY_HAND,
        "steps-0-position": "0",
        "steps-1-step": ProductionStepKind.FINISHING,
        "steps-1-done": StepDoneBy.BY_MACHINE,
        "steps-1-position": "1",
        **management("materials", 1),
        "materials-0-material": str(material.pk),
        "materials-0-purity": "925",
        "materials-0-construction": "solid",
        "materials-0-recycled": "on",
        "materials-0-weight_unit": "g",
        "materials-0-position": "0",
        **management("photos", 2),
        "photos-0-alt_text": "The ring on a linen cloth",
        "photos-0-position": "0",
        "photos-0-is_cover": "on",
        "photos-1-alt_text": "Hammering the band on a mandrel",
        "photos-1-position": "1",
        "photos-1-is_process_photo": "on",
        **management("options", 1),
        "options-0-kind": "engraving",
        "options-0-max_characters": "12",
        "options-0-extra_price": "20",
        "options-0-extra_lead_days": "3",
    }
    data.update(overrides)
    return data


def piece_files():
    return {
        "photos-0-image": upload(encoded("JPEG", colour=(200, 190, 170)), "ring.jpg"),
        "photos-1-image": upload(encoded("PNG"), "hammering.png", "image/png"),
    }


def existing_formsets(piece):
    """Management data that keeps a saved piece's rows as they are (for edits of the main fields)."""
    data = {}
    for prefix, rows in (
        ("steps", piece.production_steps.all()),
        ("materials", piece.materials.all()),
        ("photos", piece.images.all()),
        ("options", piece.personalization_options.all()),
    ):
        rows = list(rows)
        data.update(management(prefix, len(rows), len(rows)))
        for index, row in enumerate(rows):
            data[f"{prefix}-{index}-id"] = str(row.pk)
            for field in row._meta.concrete_fields:
                if field.name in ("id", "piece", "image", "width", "height"):
                    continue
                value = getattr(row, field.attname)
                if isinstance(value, bool):
                    if value:
                        data[f"{prefix}-{index}-{field.name}"] = "on"
                elif value is not None:
                    data[f"{prefix}-{index}-{field.name}"] = str(value)
    return data


def edit_data(piece, **changes):
    """What the edit page posts for a saved piece, as it is, with `changes`."""
    fields = piece_data(category=piece.category, material=piece.materials.first().material)
    data = {
        key: value
        for key, value in fields.items()
        if not key.startswith(("steps-", "materials-", "photos-", "options-"))
    }
    data.update(existing_formsets(piece))
    data.update(
        title=piece.title,
        production_method=piece.production_method,
        made_by=piece.made_by,
        availability=piece.availability,
        price=str(piece.price),
    )
    data.update(changes)
    return data
