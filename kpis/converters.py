import datetime
import re

YEAR = re.compile(r"[0-9]{4}")


def parse_year(text):
    """The year written in `text` ("2024"), or None. Only the digits 0-9 count: str.isdigit()
    also takes ² and ２, which int() refuses or reads; every number read from an address
    goes through here or a converter of this module."""
    return int(text) if YEAR.fullmatch(text) else None


class DateConverter:
    """A period end in a URL: /my/enter/<code>/2024-06-30/."""

    # [0-9], not \d, which matches every script's digits.
    regex = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

    def to_python(self, value):
        return datetime.date.fromisoformat(value)

    def to_url(self, value):
        return value.isoformat()


class DataFormat:
    """The three formats of every open-data file: the progress table, an indicator's
    history, a snapshot, the key tasks."""

    regex = "csv|json|xlsx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class BulletinFormat(DataFormat):
    """The leaders' bulletin's two documents."""

    regex = "docx|pdf"
