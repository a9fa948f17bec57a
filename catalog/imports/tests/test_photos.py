"""
The zip of photos: refused whole when it is no zip, too big, a bomb or encrypted; members with
unsafe paths, links, nested archives and duplicate names ignored with a note; OS files skipped;
each photo read in memory within the limits and through the image pipeline.
"""

import stat
import struct
import zipfile
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from PIL import Image

from artisans.images import ERROR_BROKEN, ERROR_NOT_AN_IMAGE, ERROR_TOO_MANY_PIXELS
from artisans.tests.uploads import encoded, jpeg_with_everything, metadata_blocks, png_declaring
from catalog.imports.photos import (
    ERROR_AMBIGUOUS,
    ERROR_ENCRYPTED,
    ERROR_NOT_A_ZIP,
    ERROR_NOT_IN_ZIP,
    ERROR_OVERLAPPING,
    ERROR_TOO_BIG,
    ERROR_TOO_MANY_ENTRIES,
    ERROR_UNREADABLE_MEMBER,
    ERROR_ZIP_BOMB,
    NOTE_DUPLICATE_NAME,
    NOTE_LINK,
    NOTE_NESTED_ARCHIVE,
    NOTE_UNSAFE_PATH,
    ArchiveRefused,
    PhotoArchive,
    PhotoRefused,
    base_name,
    open_archive,
)

JPEG = encoded("JPEG", size=(32, 40))


def zip_of(*entries, compression=zipfile.ZIP_DEFLATED):
    """A zip's bytes from (name or ZipInfo, bytes) pairs."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def central_records(data):
    """The offsets of each central directory record, in order."""
    offsets, start = [], 0
    while (found := data.find(b"PK\x01\x02", start)) != -1:
        offsets.append(found)
        start = found + 4
    return offsets


def patched(data, offset, fmt, value):
    data = bytearray(data)
    struct.pack_into(fmt, data, offset, value)
    return bytes(data)


def opened(data) -> PhotoArchive:
    return open_archive(BytesIO(data))


def refusal(data):
    with pytest.raises(ArchiveRefused) as refused:
        open_archive(BytesIO(data))
    return refused.value


@pytest.fixture(autouse=True)
def nothing_is_extracted(monkeypatch):
    """No test may write a member to disk: the archive reads in memory only."""

    def refuse(*args, **kwargs):
        raise AssertionError("a member was extracted to disk")

    monkeypatch.setattr(zipfile.ZipFile, "extract", refuse)
    monkeypatch.setattr(zipfile.ZipFile, "extractall", refuse)


# --- Finding a row's photo -------------------------------------------------------------------


def test_a_rows_photo_is_found_by_base_name_whatever_its_folder_and_case():
    archive = opened(zip_of(("Rings/Hammered Ring.JPG", JPEG), ("cuff.png", encoded("PNG"))))
    assert archive.find("hammered ring.jpg").name == "Rings/Hammered Ring.JPG"
    assert archive.find("C:\\Users\\me\\Photos\\HAMMERED RING.jpg").name == "Rings/Hammered Ring.JPG"
    assert archive.find("cuff.PNG").name == "cuff.png"
    assert archive.find("missing.jpg") is None
    assert archive.find("") is None
    assert len(archive) == 2


def test_an_etsy_image_url_is_matched_by_the_last_part_of_its_path():
    archive = opened(zip_of(("il_fullxfull.4120_ab12.jpg", JPEG), ("My Ring.jpg", JPEG)))
    url = "https://i.etsystatic.com/123/r/il/ab12/4120/il_fullxfull.4120_ab12.jpg?version=0#top"
    assert archive.find(url).name == "il_fullxfull.4120_ab12.jpg"
    assert archive.find("https://example.com/photos/My%20Ring.jpg").name == "My Ring.jpg"
    assert base_name("  https://x.test/a/B.JPG?x=/c.jpg ") == "b.jpg"


def test_a_photo_is_read_through_the_image_pipeline_and_stored_without_metadata():
    archive = opened(zip_of(("ring.jpg", jpeg_with_everything())))
    photo = archive.photo("ring.jpg")
    data = photo.read()
    assert metadata_blocks(data) == set()
    assert b"<script" not in data
    assert photo.name.endswith(".jpg") and "ring" not in photo.name
    assert Image.open(BytesIO(data)).size == (64, 48)


def test_a_found_member_can_be_read_as_it_is():
    archive = opened(zip_of(("ring.webp", encoded("WEBP"))))
    assert archive.photo(archive.find("RING.webp")).name.endswith(".webp")


def test_a_photo_not_in_the_zip_is_refused_with_its_name():
    archive = opened(zip_of(("ring.jpg", JPEG)))
    with pytest.raises(PhotoRefused) as refused:
        archive.photo("cuff.jpg")
    assert refused.value.code == "not_in_zip"
    assert refused.value.messages == [ERROR_NOT_IN_ZIP % {"name": "cuff.jpg"}]


def test_two_photos_with_one_name_are_a_problem_naming_both_and_neither_is_used():
    archive = opened(zip_of(("a/ring.jpg", JPEG), ("b/RING.JPG", JPEG), ("c/ring.jpg", JPEG), ("cuff.jpg", JPEG)))
    [problem] = archive.problems
    assert problem.code == "duplicate_name"
    assert problem.message == NOTE_DUPLICATE_NAME % {"first": "a/ring.jpg", "second": "b/RING.JPG"}
    with pytest.raises(PhotoRefused) as refused:
        archive.find("ring.jpg")
    assert refused.value.code == "ambiguous"
    assert str(refused.value) == ERROR_AMBIGUOUS % {"name": "ring.jpg", "first": "a/ring.jpg", "second": "b/RING.JPG"}
    with pytest.raises(PhotoRefused):
        archive.photo("ring.jpg")
    assert [member.name for member in archive.members] == ["cuff.jpg"]


# --- Photos the pipeline refuses -------------------------------------------------------------


def test_a_text_file_named_jpg_is_refused_with_the_pipelines_message():
    archive = opened(zip_of(("ring.jpg", b"<html><script>alert(1)</script></html>")))
    with pytest.raises(PhotoRefused) as refused:
        archive.photo("ring.jpg")
    assert refused.value.code == "not_an_image"
    assert refused.value.messages == [ERROR_NOT_AN_IMAGE]


def test_a_truncated_jpeg_is_refused_as_broken():
    archive = opened(zip_of(("ring.jpg", encoded("JPEG", size=(400, 300))[:600])))
    with pytest.raises(PhotoRefused) as refused:
        archive.photo("ring.jpg")
    assert refused.value.code == "broken_image"
    assert refused.value.messages == [ERROR_BROKEN]


def test_a_png_past_the_pixel_limit_is_refused_before_it_is_decoded(settings):
    settings.MAX_IMAGE_PIXELS = 10_000
    archive = opened(zip_of(("huge.png", png_declaring(200, 100))))
    with pytest.raises(PhotoRefused) as refused:
        archive.photo("huge.png")
    assert refused.value.code == "too_many_pixels"
    assert refused.value.messages == [ERROR_TOO_MANY_PIXELS % {"width": 200, "height": 100, "limit": 0}]


def test_a_member_over_the_upload_limit_is_refused_without_being_read(settings, monkeypatch):
    settings.MAX_UPLOAD_BYTES = 1000
    archive = opened(zip_of(("ring.jpg", JPEG + b"\0" * 2000), compression=zipfile.ZIP_STORED))
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *a, **k: pytest.fail("the member was read"))
    with pytest.raises(PhotoRefused) as refused:
        archive.photo("ring.jpg")
    assert refused.value.code == "too_large"


def test_a_member_whose_header_understates_its_size_is_cut_off_and_refused():
    data = zip_of(("ring.jpg", b"\0" * 100_000))
    central = central_records(data)[0]
    data = patched(data, central + 24, "<I", 2000)  # declared unpacked size: 2,000 bytes
    data = patched(data, 22, "<I", 2000)  # and in the local header
    archive = opened(data)
    with pytest.raises(PhotoRefused) as refused:
        archive.photo("ring.jpg")
    assert refused.value.code == "unreadable"
    assert str(refused.value) == ERROR_UNREADABLE_MEMBER % {"name": "ring.jpg"}


def test_a_member_packed_with_an_unknown_method_is_refused_as_unreadable():
    data = zip_of(("ring.jpg", JPEG))
    data = patched(data, central_records(data)[0] + 10, "<H", 99)
    data = patched(data, 8, "<H", 99)
    with pytest.raises(PhotoRefused) as refused:
        opened(data).photo("ring.jpg")
    assert refused.value.code == "unreadable"


# --- Members ignored with a note, and files skipped ------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["../evil.jpg", "photos/../../evil.jpg", "/etc/passwd", "/evil.jpg", "C:\\evil.jpg", "c:evil.jpg", "..\\evil.jpg"],
)
def test_a_member_whose_path_leaves_the_folder_is_skipped_with_a_note(name):
    archive = opened(zip_of((name, JPEG), ("ring.jpg", JPEG)))
    assert [(p.name, p.code) for p in archive.problems] == [(name, "unsafe_path")]
    assert archive.problems[0].message == NOTE_UNSAFE_PATH % {"name": name}
    assert archive.find("evil.jpg") is None
    assert archive.find("passwd") is None
    assert archive.photo("ring.jpg")


def test_a_name_with_control_characters_is_skipped_and_shown_without_them():
    archive = opened(zip_of(("ring\x1b[31m.jpg", JPEG)))
    [problem] = archive.problems
    assert problem.code == "unsafe_path"
    assert "\x1b" not in problem.message


def test_a_symbolic_link_is_skipped_with_a_note():
    link = zipfile.ZipInfo("ring.jpg")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    archive = opened(zip_of((link, b"/etc/passwd"), ("cuff.jpg", JPEG)))
    assert [(p.name, p.code, p.message) for p in archive.problems] == [
        ("ring.jpg", "link", NOTE_LINK % {"name": "ring.jpg"})
    ]
    assert archive.find("ring.jpg") is None
    assert archive.find("cuff.jpg") is not None


def test_a_regular_file_with_unix_permissions_is_a_photo():
    member = zipfile.ZipInfo("ring.jpg")
    member.create_system = 3
    member.external_attr = (stat.S_IFREG | 0o644) << 16
    assert opened(zip_of((member, JPEG))).find("ring.jpg") is not None


@pytest.mark.parametrize("name", ["more.zip", "photos/OLD.ZIP", "backup.tar.gz", "set.7z"])
def test_an_archive_inside_the_zip_is_skipped_with_a_note(name):
    archive = opened(zip_of((name, zip_of(("inner.jpg", JPEG)))))
    assert [(p.code, p.message) for p in archive.problems] == [("nested_archive", NOTE_NESTED_ARCHIVE % {"name": name})]
    assert archive.find("inner.jpg") is None
    assert len(archive) == 0


def test_folders_and_the_files_operating_systems_leave_are_skipped_silently():
    archive = opened(
        zip_of(
            ("photos/", b""),
            ("__MACOSX/photos/._ring.jpg", b"\0\5\26\7"),
            ("photos/.DS_Store", b"\0\0\0\1Bud1"),
            ("photos/Thumbs.db", b"\0"),
            ("photos/.hidden.jpg", JPEG),
            ("photos/ring.jpg", JPEG),
        )
    )
    assert archive.problems == []
    assert archive.skipped == 5
    assert [member.name for member in archive.members] == ["photos/ring.jpg"]


def test_a_name_disguised_by_a_direction_override_is_shown_with_the_override_visible():
    archive = opened(zip_of(("ring\u202egpj.exe", JPEG), ("b/ring\u202egpj.exe", JPEG)))
    [problem] = archive.problems
    assert "\u202e" not in problem.message and "ring?gpj.exe" in problem.message


def test_a_hostile_name_is_cut_short_in_the_note():
    name = "../" + "a" * 5000 + ".jpg"
    [problem] = opened(zip_of((name, JPEG))).problems
    assert len(problem.message) < 200
    assert problem.name == name


# --- Archives refused whole -------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [b"", b"TITLE,PRICE\nRing,12\n", JPEG, zip_of(("ring.jpg", JPEG))[:-30], b"PK\x03\x04" + b"\xff" * 64],
    ids=["empty", "a-csv", "a-jpeg", "cut-short", "a-local-header-and-no-directory"],
)
def test_a_file_that_is_not_a_zip_is_refused_with_a_clear_message(data):
    refused = refusal(data)
    assert refused.code == "not_a_zip"
    assert refused.messages == [ERROR_NOT_A_ZIP]


def test_an_empty_zip_is_opened_with_no_photos():
    archive = opened(zip_of())
    assert len(archive) == 0 and archive.problems == []


def test_ten_thousand_entries_are_refused_before_the_directory_is_read(monkeypatch):
    data = zip_of(*((f"{n}.jpg", b"") for n in range(10_000)), compression=zipfile.ZIP_STORED)
    # The end record's count refuses it: the directory of 10,000 entries is never parsed.
    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", lambda self: pytest.fail("the directory was parsed"))
    refused = refusal(data)
    assert refused.code == "too_many_entries"
    assert refused.messages == [ERROR_TOO_MANY_ENTRIES % {"count": "10,000", "limit": "5,000"}]


def test_the_entry_limit_is_a_setting_and_the_limit_itself_is_accepted(settings):
    settings.IMPORT_MAX_ZIP_ENTRIES = 3
    assert len(opened(zip_of(*((f"{n}.jpg", JPEG) for n in range(3))))) == 3
    assert refusal(zip_of(*((f"{n}.jpg", JPEG) for n in range(4)))).code == "too_many_entries"


def test_an_end_record_that_understates_the_entries_is_caught_by_the_directorys_size(settings):
    settings.IMPORT_MAX_ZIP_ENTRIES = 2
    data = zip_of(*(("x" * 900 + f"{n}.jpg", b"") for n in range(3)), compression=zipfile.ZIP_STORED)
    end = data.rfind(b"PK\x05\x06")
    data = patched(data, end + 8, "<H", 1)
    data = patched(data, end + 10, "<H", 1)  # "one entry", over a directory of three
    assert refusal(data).code == "too_many_entries"


def test_photos_adding_up_past_the_unpacked_limit_are_refused(settings):
    settings.IMPORT_MAX_ZIP_BYTES = len(JPEG) * 2
    refused = refusal(zip_of(*((f"{n}.jpg", JPEG) for n in range(3)), compression=zipfile.ZIP_STORED))
    assert refused.code == "too_big"
    assert "Split the photos into several zips" in refused.messages[0]
    assert refused.messages[0] == ERROR_TOO_BIG % {
        "size": filesizeformat(len(JPEG) * 3),
        "limit": filesizeformat(len(JPEG) * 2),
    }


def test_a_one_kilobyte_member_declaring_a_gigabyte_is_refused_from_its_headers(monkeypatch):
    data = zip_of(("bomb.jpg", bytes(range(256)) * 4), compression=zipfile.ZIP_STORED)
    data = patched(data, central_records(data)[0] + 24, "<I", 1 << 30)
    data = patched(data, 22, "<I", 1 << 30)
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *a, **k: pytest.fail("the member was inflated"))
    refused = refusal(data)
    assert refused.code == "zip_bomb"
    assert refused.messages == [ERROR_ZIP_BOMB % {"name": "bomb.jpg", "ratio": "1,048,576"}]


def test_a_real_deflate_bomb_is_refused_by_its_ratio():
    refused = refusal(zip_of(("zeros.jpg", bytes(10 * 1024 * 1024))))
    assert refused.code == "zip_bomb"


def test_a_small_member_that_packs_well_is_no_bomb():
    # A flat image packs far better than a photo, but 60 kB can do no harm whatever its ratio.
    assert len(opened(zip_of(("flat.jpg", JPEG + bytes(60_000))))) == 1


def test_the_ratio_bound_is_a_setting(settings):
    settings.IMPORT_MAX_ZIP_RATIO = 2000
    assert len(opened(zip_of(("zeros.jpg", bytes(10 * 1024 * 1024))))) == 1


def test_a_password_protected_member_refuses_the_zip():
    data = zip_of(("ring.jpg", JPEG), ("secret.jpg", JPEG))
    second = central_records(data)[1]
    refused = refusal(patched(data, second + 8, "<H", 0x1))
    assert refused.code == "encrypted"
    assert refused.messages == [ERROR_ENCRYPTED % {"name": "secret.jpg"}]


def test_members_sharing_their_packed_data_are_refused_as_overlapping():
    data = zip_of(("a.jpg", JPEG), ("b.jpg", JPEG), compression=zipfile.ZIP_STORED)
    second = central_records(data)[1]
    refused = refusal(patched(data, second + 42, "<I", 0))  # b.jpg's local header is a.jpg's
    assert refused.code == "overlapping_members"
    assert refused.messages == [ERROR_OVERLAPPING]


# --- What open_archive accepts ----------------------------------------------------------------


def test_an_uploaded_file_and_a_path_are_both_opened(tmp_path):
    data = zip_of(("ring.jpg", JPEG))
    with open_archive(SimpleUploadedFile("photos.zip", data, content_type="application/zip")) as archive:
        assert archive.find("ring.jpg") is not None
    path = tmp_path / "photos.zip"
    path.write_bytes(data)
    with open_archive(path) as archive:
        assert archive.photo("ring.jpg")
        handle = archive._owns_file
    assert handle.closed
    with open_archive(str(path)) as archive:
        assert len(archive) == 1


def test_a_path_that_is_no_zip_is_closed_when_refused(tmp_path, monkeypatch):
    path = tmp_path / "photos.zip"
    path.write_bytes(b"not a zip")
    handles = []
    real_open = open

    def tracking_open(*args, **kwargs):
        handles.append(real_open(*args, **kwargs))
        return handles[-1]

    monkeypatch.setattr("builtins.open", tracking_open)
    with pytest.raises(ArchiveRefused):
        open_archive(path)
    assert handles and all(handle.closed for handle in handles)


def test_the_refusals_are_validation_errors_a_form_can_show():
    from django.core.exceptions import ValidationError

    refused = refusal(b"nope")
    assert isinstance(refused, ValidationError)
    assert str(refused) == ERROR_NOT_A_ZIP
