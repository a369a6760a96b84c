import datetime


class DateConverter:
    """A period end in a URL: /my/enter/<code>/2024-06-30/."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value):
        return datetime.date.fromisoformat(value)

    def to_url(self, value):
        return value.isoformat()


class DataFormat:
    regex = "csv|json|xlsx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class HistoryFormat(DataFormat):
    """Indicator histories and snapshots come in the same three formats."""
