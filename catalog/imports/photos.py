"""
The zip of photos that comes with an import: opened, checked, and read one photo at a time.

`open_archive(file)` reads the zip's directory (never its contents) and refuses the whole archive,
raising `ArchiveRefused` with one of the `ERROR_*` messages, when it is:
- not a zip (`not_a_zip`), or its directory is unreadable;
- too many entries (`too_many_entries`, past `IMPORT_MAX_ZIP_ENTRIES`, read from the end record
  before the directory itself is parsed);
- too big unpacked (`too_big`, the members' declared sizes past `IMPORT_MAX_ZIP_BYTES`);
- a zip bomb: a member that inflates more than `IMPORT_MAX_ZIP_RATIO` times its packed size
  (`zip_bomb`), or members whose packed data overlap (`overlapping_members`);
- password-protected in any member (`encrypted`).

Members that are no photo of the import are never read, and are ignored with a note in
`archive.problems` (`ArchiveProblem`: the member's name, a message, a code) that the preview shows:
paths that leave the zip's folder (`../`, absolute paths, drive letters, control characters:
`unsafe_path`), symbolic links and other special files (`link`), archives inside the archive
(`nested_archive`), and two members with the same base name (`duplicate_name`, naming both; a
row naming that photo is refused, since which one was meant is unknown). Folders and the files
operating systems leave in zips (`__MACOSX/`, `.DS_Store`, `._*`, `Thumbs.db`, any hidden file)
are skipped without a note: they are in nearly every zip a Mac or Windows makes, and no row
refers to them; `archive.skipped` counts them.

Nothing is ever extracted to disk: `archive.photo(name)` reads one member in memory, at most
`MAX_UPLOAD_BYTES` of it (the decompressor is asked for no more, so a member whose header lies
about its size is cut off, then fails its checksum), and passes it through the image pipeline
(`artisans.images.image_clean`), so a fake or broken image is refused with the pipeline's own
message. Every refusal of one photo is a `PhotoRefused`, which `catalog.imports.fetch` raises too.

Callers: the preview and the writing of rows (`archive.find` then `archive.photo`, per row).
"""

import os
import re
import stat
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat

from artisans.images import ERROR_TOO_LARGE, image_clean

ERROR_NOT_A_ZIP = "The photos file is not a zip archive we can read. Put the photos in a .zip file and upload that."
ERROR_TOO_MANY_ENTRIES = (
    "The zip holds %(count)s files; an import can take at most %(limit)s. Split the photos into several zips."
)
ERROR_TOO_BIG = (
    "The zip's files add up to %(size)s once unpacked; an import can take at most %(limit)s. "
    "Split the photos into several zips."
)
ERROR_ZIP_BOMB = (
    "“%(name)s” in the zip unpacks to %(ratio)s times its packed size, which no photo does. "
    "Remove it and upload the zip again."
)
ERROR_OVERLAPPING = (
    "The zip's files overlap each other, which no ordinary zip does. Make the zip again from the photos."
)
ERROR_ENCRYPTED = "“%(name)s” in the zip is protected by a password. Upload a zip without a password."

NOTE_UNSAFE_PATH = "“%(name)s” was skipped: its path leads out of the zip's folder."
NOTE_LINK = "“%(name)s” was skipped: it is a link or a special file, not a photo."
NOTE_NESTED_ARCHIVE = "“%(name)s” was skipped: it is an archive inside the zip. Put its photos in the zip itself."
NOTE_DUPLICATE_NAME = (
    "“%(first)s” and “%(second)s” have the same file name, so a row cannot say which it means. Rename one of them."
)

ERROR_NOT_IN_ZIP = "There is no photo named “%(name)s” in the zip."
ERROR_AMBIGUOUS = "Two photos in the zip are named “%(name)s” (%(first)s and %(second)s). Rename one of them."
ERROR_UNREADABLE_MEMBER = "“%(name)s” in the zip is damaged and cannot be read. Zip the photo again."

# Members below this size are harmless whatever they inflate from (deflate's ratio is at most
# about 1,000 to 1), so the ratio is checked only above it: a tiny flat image may pack 50 to 1.
RATIO_FLOOR_BYTES = 64 * 1024
# What a zip's central directory may hold per entry at most, on average: a 255-character name in
# UTF-8 and the usual extra fields fit in well under 1 KiB. Read from the end record, it bounds
# the directory before Python parses it, whatever count the end record claims.
DIRECTORY_BYTES_PER_ENTRY = 1024
NESTED_ARCHIVE_SUFFIXES = (".zip", ".jar", ".7z", ".rar", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".cbz")
OS_FILES = {"thumbs.db", "desktop.ini", "__macosx"}
# Names longer than this are cut in messages, so a hostile name cannot flood the preview.
NAME_IN_MESSAGES = 80
HIDDEN_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}
DRIVE_LETTER = re.compile(r"^[A-Za-z]:")


class ImportFileRefused(ValidationError):
    """A refusal with one constant message and a code: a form can raise it as it is."""

    def __init__(self, message, *, code):
        super().__init__(message, code=code)

    def __str__(self):
        return self.message


class ArchiveRefused(ImportFileRefused):
    """The whole zip is refused (not a zip, too big, a bomb, encrypted): no photo of it is used."""


class PhotoRefused(ImportFileRefused):
    """One photo is refused (not in the zip, not a photo, too big, unreachable): its row says why."""


@dataclass(frozen=True)
class ArchiveProblem:
    """A member ignored, with why, for the preview: `name` is the member's path in the zip."""

    name: str
    message: str
    code: str


@dataclass(frozen=True)
class PhotoMember:
    """A member that may be a photo: its path in the zip, its base name and its unpacked size."""

    name: str
    base: str
    size: int
    info: zipfile.ZipInfo = field(repr=False, compare=False)


def _shown(name):
    # Control and direction characters (a right-to-left override could disguise a name) become "?".
    name = "".join("?" if unicodedata.category(c) in HIDDEN_CATEGORIES else c for c in name)
    return name if len(name) <= NAME_IN_MESSAGES else name[: NAME_IN_MESSAGES - 1] + "…"


def _number(count):
    return f"{count:,}"


def base_name(reference: str) -> str:
    """
    The file name a row's photo reference points at, folded for matching: the last part of a
    path (`/` or `\\`) or of a URL's path (its query dropped, `%20` decoded), in NFC and casefolded.
    `https://i.etsystatic.com/1/il/ab/9/il_fullxfull.9_ab.JPG?version=0` gives `il_fullxfull.9_ab.jpg`.
    """
    reference = reference.strip()
    if "://" in reference:
        reference = unquote(urlsplit(reference).path)
    last = re.split(r"[\\/]", reference)[-1].strip()
    return unicodedata.normalize("NFC", last).casefold()


def _parts(name):
    return [part for part in re.split(r"[\\/]", name) if part]


def _unsafe(name):
    return (
        name.startswith(("/", "\\"))
        or DRIVE_LETTER.match(name) is not None
        or ".." in _parts(name)
        or any(unicodedata.category(c) == "Cc" for c in name)
    )


def _os_file(name):
    return any(part.startswith(".") or part.casefold() in OS_FILES for part in _parts(name))


def _special(info):
    # A Unix zip keeps the file's mode in the high 16 bits; a type other than a regular file or a
    # folder (a symbolic link, a device, a pipe) is refused. No type at all is an ordinary file.
    kind = stat.S_IFMT(info.external_attr >> 16)
    return kind not in (0, stat.S_IFREG, stat.S_IFDIR)


def _ratio_refused(info):
    if info.file_size <= RATIO_FLOOR_BYTES:
        return None
    ratio = info.file_size / max(info.compress_size, 1)
    return ratio if ratio > settings.IMPORT_MAX_ZIP_RATIO else None


class PhotoArchive:
    """
    An opened zip of photos: `find(reference)` and `photo(reference)` per row, `problems` for the
    preview. Close it (or use it as a context manager) to release the file.
    """

    def __init__(self, archive: zipfile.ZipFile, *, owns_file=None):
        self._zip = archive
        self._owns_file = owns_file
        self.problems: list[ArchiveProblem] = []
        self.skipped = 0
        self.members: list[PhotoMember] = []
        self._by_base: dict[str, PhotoMember] = {}
        self._ambiguous: dict[str, tuple[str, str]] = {}
        for info in archive.infolist():
            self._sort(info)

    def _note(self, member, message, code, **params):
        self.problems.append(ArchiveProblem(name=member, message=message % params, code=code))

    def _sort(self, info):
        name = info.filename
        if info.is_dir():
            self.skipped += 1
        elif _unsafe(name):
            self._note(name, NOTE_UNSAFE_PATH, "unsafe_path", name=_shown(name))
        elif _special(info):
            self._note(name, NOTE_LINK, "link", name=_shown(name))
        elif _os_file(name):
            self.skipped += 1
        elif name.casefold().endswith(NESTED_ARCHIVE_SUFFIXES):
            self._note(name, NOTE_NESTED_ARCHIVE, "nested_archive", name=_shown(name))
        else:
            base = base_name(name)
            member = PhotoMember(name=name, base=base, size=info.file_size, info=info)
            if base in self._ambiguous:
                return
            if (first := self._by_base.get(base)) is not None:
                del self._by_base[base]
                self._ambiguous[base] = (first.name, name)
                self.members.remove(first)
                self._note(name, NOTE_DUPLICATE_NAME, "duplicate_name", first=_shown(first.name), second=_shown(name))
                return
            self._by_base[base] = member
            self.members.append(member)

    def __len__(self):
        return len(self.members)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._zip.close()
        if self._owns_file is not None:
            self._owns_file.close()

    def find(self, reference: str) -> PhotoMember | None:
        """
        The member a row's photo reference names (a file name, a path, or a URL whose last part is
        the file name), matched by base name whatever the case; None when the zip has none. Raises
        `PhotoRefused` (`ambiguous`) when two members share that base name.
        """
        base = base_name(reference)
        if base in self._ambiguous:
            first, second = self._ambiguous[base]
            raise PhotoRefused(
                ERROR_AMBIGUOUS % {"name": _shown(base), "first": _shown(first), "second": _shown(second)},
                code="ambiguous",
            )
        return self._by_base.get(base) if base else None

    def photo(self, reference: "str | PhotoMember") -> ContentFile:
        """
        The clean copy of one photo, ready to store in an `UploadedImageField`: read in memory (at
        most `MAX_UPLOAD_BYTES`) and passed through the image pipeline. Raises `PhotoRefused`: not
        in the zip (`not_in_zip`), two of that name (`ambiguous`), too big (`too_large`), damaged
        (`unreadable`), or any refusal of the image pipeline with its own message and code.
        """
        member = reference if isinstance(reference, PhotoMember) else self.find(reference)
        if member is None:
            raise PhotoRefused(ERROR_NOT_IN_ZIP % {"name": _shown(str(reference))}, code="not_in_zip")
        limit = settings.MAX_UPLOAD_BYTES
        if member.size > limit:
            raise PhotoRefused(
                ERROR_TOO_LARGE % {"size": filesizeformat(member.size), "limit": filesizeformat(limit)},
                code="too_large",
            )
        try:
            with self._zip.open(member.info) as stream:
                # ZipExtFile stops at the declared size and asks the decompressor for no more than this.
                data = stream.read(limit + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as error:
            raise PhotoRefused(ERROR_UNREADABLE_MEMBER % {"name": _shown(member.name)}, code="unreadable") from error
        if len(data) > limit:  # the header said less: a lie, refused before the pipeline sees it
            raise PhotoRefused(ERROR_UNREADABLE_MEMBER % {"name": _shown(member.name)}, code="unreadable")
        try:
            return image_clean(ContentFile(data, name=member.base))
        except ValidationError as refused:
            raise PhotoRefused(refused.messages[0], code=refused.code) from refused


def _file_object(file):
    """A seekable binary file for `file`: a path (opened here, returned as the second value) or a file."""
    if isinstance(file, (str, os.PathLike)):
        opened = open(file, "rb")  # noqa: SIM115 (closed with the archive)
        return opened, opened
    if hasattr(file, "open") and getattr(file, "closed", False):
        file.open("rb")
    stream = getattr(file, "file", None) or file
    return stream, None


def _archive_size(stream):
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _check_end_record(stream):
    """The entry count and the directory's size from the end record, before the directory is parsed."""
    try:
        end = zipfile._EndRecData(stream)  # the stdlib's own reader of the end record (zip64 included)
    except (OSError, ValueError, zipfile.BadZipFile):
        end = None
    if end is None:
        raise ArchiveRefused(ERROR_NOT_A_ZIP, code="not_a_zip")
    limit = settings.IMPORT_MAX_ZIP_ENTRIES
    count = end[zipfile._ECD_ENTRIES_TOTAL]
    if count > limit or end[zipfile._ECD_SIZE] > limit * DIRECTORY_BYTES_PER_ENTRY:
        raise ArchiveRefused(
            ERROR_TOO_MANY_ENTRIES % {"count": _number(count), "limit": _number(limit)}, code="too_many_entries"
        )


def _check_members(infos, archive_size):
    limit = settings.IMPORT_MAX_ZIP_ENTRIES
    if len(infos) > limit:
        raise ArchiveRefused(
            ERROR_TOO_MANY_ENTRIES % {"count": _number(len(infos)), "limit": _number(limit)}, code="too_many_entries"
        )
    for info in infos:
        if info.flag_bits & 0x1:
            raise ArchiveRefused(ERROR_ENCRYPTED % {"name": _shown(info.filename)}, code="encrypted")
        if (ratio := _ratio_refused(info)) is not None:
            raise ArchiveRefused(
                ERROR_ZIP_BOMB % {"name": _shown(info.filename), "ratio": _number(int(ratio))}, code="zip_bomb"
            )
    total = sum(info.file_size for info in infos)
    if total > settings.IMPORT_MAX_ZIP_BYTES:
        raise ArchiveRefused(
            ERROR_TOO_BIG % {"size": filesizeformat(total), "limit": filesizeformat(settings.IMPORT_MAX_ZIP_BYTES)},
            code="too_big",
        )
    # Members whose packed data share bytes (the "overlapping" zip bomb) pack more than the file holds.
    offsets = {info.header_offset for info in infos}
    if len(offsets) < len(infos) or sum(info.compress_size for info in infos) > archive_size:
        raise ArchiveRefused(ERROR_OVERLAPPING, code="overlapping_members")


def open_archive(file) -> PhotoArchive:
    """
    Open a zip of photos: `file` is an uploaded file, a stored `FieldFile`, any seekable binary
    file, or a path. Reads the directory only, and raises `ArchiveRefused` for a zip that is
    refused whole (see the module's docstring); the members ignored are in `archive.problems`.
    The caller closes the archive (`with open_archive(f) as archive:`); a path is closed with it.
    """
    stream, owned = _file_object(file)
    try:
        stream.seek(0)
        size = _archive_size(stream)
        _check_end_record(stream)
        stream.seek(0)
        try:
            archive = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as error:
            raise ArchiveRefused(ERROR_NOT_A_ZIP, code="not_a_zip") from error
        try:
            _check_members(archive.infolist(), size)
        except ArchiveRefused:
            archive.close()
            raise
    except BaseException:
        if owned is not None:
            owned.close()
        raise
    return PhotoArchive(archive, owns_file=owned)
