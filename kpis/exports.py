"""Open data: the public progress table as plain data (the JSON contract in DESIGN.md)."""

from django.utils import timezone


def plain_decimal(value):
    """A Decimal as a string without padding zeros: Decimal("400.0000") -> "400"."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return text


def rounded(ratio):
    return None if ratio is None else round(float(ratio), 4)


def source_data(source, quote):
    if source is None:
        return None
    return {
        "title": source.title,
        "publisher": source.publisher,
        "date": source.published_on.isoformat(),
        "quote": quote,
    }


def indicator_row(indicator):
    """One indicator of `progress_rows(year)` as the open data row."""
    result = indicator.result
    target = indicator.year_target
    baseline = None
    if indicator.baseline_value is not None:
        baseline = {
            "year": indicator.baseline_year,
            "value": plain_decimal(indicator.baseline_value),
            "qualifier": indicator.baseline_qualifier or None,
        }
    actual = None
    if result.current is not None:
        actual = {"period_end": result.as_of.isoformat(), "value": plain_decimal(result.current)}
    if target is not None:
        source = source_data(target.source, target.quote)
        target = {
            "year": target.year,
            "value": plain_decimal(target.value),
            "qualifier": target.qualifier,
        }
    else:
        source = source_data(indicator.source, indicator.baseline_quote)
    return {
        "code": indicator.code,
        "name": indicator.name,
        "name_en": indicator.name_en,
        "theme": indicator.theme.name_en,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "value_type": indicator.value_type,
        "baseline": baseline,
        "target": target,
        "actual": actual,
        "attainment": rounded(result.attainment),
        "progress": rounded(result.progress),
        "expected": plain_decimal(result.expected),
        "status": str(result.status),
        "source": source,
    }


def progress_document(rows, year):
    return {
        "year": year,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "indicators": [indicator_row(row) for row in rows],
    }
