"""Evidence files of what officials enter (a scanned statistics form, the bureau's
spreadsheet): kept under KPI_EVIDENCE_ROOT, outside the static root, with no address of
their own. Only a view that asks the entry who may see it hands one out, so a file is
never on a public page. A file is taken for what its first bytes say it is, not for its
name: PDF, JPEG, PNG, and the Office zip packages whose [Content_Types].xml names a Word
document or an Excel workbook."""

import uuid
import zipfile
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

SIGNATURES = [(b"%PDF", "pdf"), (b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png")]
OFFICE_TYPES = [
    (b"wordprocessingml.document.main+xml", "docx"),
    (b"spreadsheetml.sheet.main+xml", "xlsx"),
]


@deconstructible
class EvidenceStorage(FileSystemStorage):
    """The files under KPI_EVIDENCE_ROOT, read at each use (tests and deployments move
    it), and without any URL."""

    @property
    def base_location(self):
        return str(settings.KPI_EVIDENCE_ROOT)

    @property
    def location(self):
        return str(settings.KPI_EVIDENCE_ROOT.resolve())

    def url(self, name):
        raise ValueError("Evidence files have no address; the entry's page hands them out.")


evidence_storage = EvidenceStorage()


def evidence_kind(upload):
    """ "pdf", "jpg", "png", "docx" or "xlsx" by the content of `upload`, or None."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(upload) as package:
            types = package.read("[Content_Types].xml")
    except (zipfile.BadZipFile, KeyError):
        return None
    finally:
        upload.seek(0)
    return next((kind for marker, kind in OFFICE_TYPES if marker in types), None)


def validate_evidence(value):
    """A new upload only: a file stored before was checked when it came."""
    if getattr(value, "_committed", True):
        return
    if value.size > settings.KPI_EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s; an evidence file may have at most %(limit)s.")
            % {
                "size": filesizeformat(value.size),
                "limit": filesizeformat(settings.KPI_EVIDENCE_MAX_BYTES),
            }
        )
    if evidence_kind(value.file) is None:
        raise ValidationError(
            _("Only PDF, Word (DOCX), Excel (XLSX), JPG and PNG files are taken, by their content.")
        )


def evidence_path(entry, filename):
    """Where a new file goes: never over an older one, which the entry's history keeps."""
    name = get_valid_filename(PurePosixPath(filename).name)[-100:]
    return f"{entry._meta.model_name}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}/{name}"


def file_name(name):
    """The name the file was uploaded with, for its download."""
    return PurePosixPath(name).name
