"""Checks on uploaded files before any parser reads them.

XLSX and DOCX files are ZIP archives of XML: a few hundred kilobytes can unpack to gigabytes
(a "zip bomb"), and the parsers (openpyxl, python-docx) read whole parts into memory before
the import or the extraction sees a row. The sizes the archive declares for its members are
an upper bound of what Python's zipfile will unpack (it stops at the declared size and the
CRC check fails past it), so they are checked first, without unpacking anything.
"""

import io
import zipfile

from django.utils.translation import gettext as _


class UploadRefused(ValueError):
    """A file refused before it is parsed; its message says why, for the person who gave it."""


def check_size(upload, limit):
    """Refuse an uploaded file larger than `limit` bytes."""
    if upload.size > limit:
        raise UploadRefused(
            _("The file is larger than %(limit)s MB, the most this page takes.")
            % {"limit": f"{limit / 1024 / 1024:g}"}
        )


def check_archive(data, limit):
    """Refuse a ZIP archive (bytes or a file) whose members unpack to more than `limit`
    bytes in all; a file that is no archive is left to the parser to refuse."""
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    try:
        with zipfile.ZipFile(stream) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        return
    finally:
        if hasattr(stream, "seek"):
            stream.seek(0)
    if unpacked > limit:
        raise UploadRefused(
            _(
                "The file unpacks to more than %(limit)s MB, more than any document or "
                "sheet this page takes: save it again without what it does not need."
            )
            % {"limit": f"{limit / 1024 / 1024:g}"}
        )
