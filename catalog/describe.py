"""What machines read to find and check our open data: a Frictionless Data Package of every CSV
we publish, CSVW metadata for the progress table, a DCAT catalogue, and schema.org Dataset
descriptions. Each is written from the files' own column lists (kpis.exports, tasks.exports),
so a column added there is described here without a second list to keep."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kpis import exports
from kpis.models import Indicator
from plans import exports as plan_exports
from tasks import exports as task_exports

BOOLEAN_COLUMNS = {"stale", "year_closed"}
DATE_COLUMNS = {"final_due", "source_date", "next_due", "pace_as_of"}
INTEGER_COLUMNS = exports.YEAR_COLUMNS | plan_exports.YEAR_COLUMNS
INTEGER_COLUMNS |= {"year", "milestones", "milestones_done"}
NUMBER_COLUMNS = exports.AMOUNT_COLUMNS | exports.SHARE_COLUMNS | plan_exports.NUMBER_COLUMNS
NUMBER_COLUMNS |= {"progress_percent"}


def field_type(name):
    """A column's Table Schema type, from its name and the exports' sets of columns."""
    if name in INTEGER_COLUMNS:
        return "integer"
    if name in NUMBER_COLUMNS:
        return "number"
    if name in BOOLEAN_COLUMNS:
        return "boolean"
    if name in DATE_COLUMNS or name.endswith("period_end"):
        return "date"
    if name.endswith("_at"):
        return "datetime"
    return "string"


CSVW_TYPES = {
    "integer": "integer",
    "number": "decimal",
    "boolean": {"base": "boolean", "format": "True|False"},
    "date": "date",
    "datetime": "datetime",
    "string": "string",
}


def table_schema(columns, primary_key, foreign_keys=()):
    fields = []
    for name, meaning in columns:
        field = {"name": name, "type": field_type(name), "description": str(meaning)}
        if field["type"] == "number" and name in exports.AMOUNT_COLUMNS:
            field["description"] += " " + _("(in the row's unit: column unit)")
        fields.append(field)
    schema = {"fields": fields, "primaryKey": primary_key, "missingValues": [""]}
    if foreign_keys:
        schema["foreignKeys"] = list(foreign_keys)
    return schema


def licence():
    return {
        "name": settings.OPEN_DATA_LICENCE.replace(" ", "-"),
        "path": settings.OPEN_DATA_LICENCE_URL,
        "title": settings.OPEN_DATA_LICENCE,
    }


def package_title():
    return _("Guangming District targets and what happened")


def package_description():
    return _(
        "Targets the district published, the figures reported against them (published "
        "after review only), their verdicts, and the key tasks."
    )


def publisher():
    return _("Guangming District People's Government, Shenzhen")


def csv_resource(name, url, title, schema):
    return {
        "name": name,
        "path": url,
        "title": title,
        "format": "csv",
        "mediatype": "text/csv",
        # The files start with a byte order mark, for Excel.
        "encoding": "utf-8-sig",
        "profile": "tabular-data-resource",
        "schema": schema,
    }


def data_package(absolute):
    """The Data Package of every CSV we publish; `absolute` makes a path a full address."""
    indicators = Indicator.objects.public().select_related("source").order_by("code")
    years = sorted(indicators.target_years())
    progress_columns = [(name, meaning) for name, meaning in exports.COLUMNS]
    resources = [
        csv_resource(
            f"progress-{year}",
            absolute(reverse("progress_data", args=["csv"])) + f"?year={year}",
            _("Progress table %(year)s: every public indicator") % {"year": year},
            table_schema(progress_columns, ["code"]),
        )
        for year in years
    ]
    resources.append(
        csv_resource(
            "tasks",
            absolute(reverse("tasks_data", args=["csv"])),
            _("Key tasks"),
            table_schema(task_exports.COLUMNS, ["code"]),
        )
    )
    resources.append(
        csv_resource(
            "plans",
            absolute(reverse("plans_data", args=["csv"])),
            _("Five-year plans: each target's path and yearly verdicts"),
            table_schema(
                [(name, name) for name in plan_exports.COLUMNS],
                ["plan_code", "indicator", "year"],
            ),
        )
    )
    history_columns = [(name, name) for name in exports.HISTORY_COLUMNS]
    link = []
    if years:
        reference = {"resource": f"progress-{years[-1]}", "fields": ["code"]}
        link = [{"fields": ["code"], "reference": reference}]
    for indicator in indicators:
        resources.append(
            csv_resource(
                f"indicator-{indicator.code}".lower(),
                absolute(reverse("indicator_data", args=[indicator.code, "csv"])),
                _("Published history: %(name)s") % {"name": indicator.display_name},
                table_schema(history_columns, ["code", "period_end"], link),
            )
        )
    sources = {}
    for indicator in indicators:
        if indicator.source_id and indicator.source_id not in sources:
            source = indicator.source
            sources[source.pk] = {"title": f"{source.publisher}: {source.title}"}
            if source.url:
                sources[source.pk]["path"] = source.url
    return {
        "profile": "tabular-data-package",
        "name": "guangming-targets",
        "title": package_title(),
        "description": package_description(),
        "homepage": absolute(reverse("data_index")),
        "version": timezone.localdate().isoformat(),
        "created": timezone.now().isoformat(timespec="seconds"),
        "licenses": [licence()],
        "sources": list(sources.values()),
        "contributors": [{"title": publisher(), "role": "publisher"}],
        "resources": resources,
    }


def csvw_metadata(absolute):
    """CSVW metadata of the progress table (its default year's file)."""
    columns = []
    for name, meaning in exports.COLUMNS:
        columns.append(
            {
                "name": name,
                "titles": name,
                "datatype": CSVW_TYPES[field_type(name)],
                "dc:description": str(meaning),
                "null": "",
            }
        )
    return {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": translation.get_language()}],
        "url": absolute(reverse("progress_data", args=["csv"])),
        "dc:title": _("Progress table: every public indicator"),
        "dc:publisher": publisher(),
        "dc:license": {"@id": settings.OPEN_DATA_LICENCE_URL},
        "dialect": {"encoding": "utf-8", "header": True},
        "tableSchema": {
            "columns": columns,
            "primaryKey": "code",
            "aboutUrl": absolute("/indicators/") + "{code}/",
        },
    }


FORMATS = {
    "csv": ("text/csv", "CSV"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
    "json": ("application/json", "JSON"),
}


def distributions(url_of):
    return [
        {
            "@type": "dcat:Distribution",
            "dcat:accessURL": {"@id": url_of(file_format)},
            "dcat:downloadURL": {"@id": url_of(file_format)},
            "dcat:mediaType": media_type,
            "dct:format": label,
            "dct:license": {"@id": settings.OPEN_DATA_LICENCE_URL},
        }
        for file_format, (media_type, label) in FORMATS.items()
    ]


def dcat_dataset(identifier, title, description, landing, url_of, modified=None):
    dataset = {
        "@id": landing + "#dataset",
        "@type": "dcat:Dataset",
        "dct:identifier": identifier,
        "dct:title": title,
        "dct:description": description,
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": publisher()},
        "dcat:landingPage": {"@id": landing},
        "dct:spatial": "Guangming District, Shenzhen",
        "dcat:distribution": distributions(url_of),
    }
    if modified:
        dataset["dct:modified"] = modified
    return dataset


def dcat_catalogue(absolute):
    """A DCAT-AP catalogue of every dataset and its distributions."""
    data_page = absolute(reverse("data_index"))
    datasets = [
        dcat_dataset(
            "progress",
            _("Progress table: every public indicator"),
            _("Each public indicator's baseline, target, latest published figure and verdict."),
            data_page,
            lambda f: absolute(reverse("progress_data", args=[f])),
        ),
        dcat_dataset(
            "tasks",
            _("Key tasks"),
            _("The key tasks, their milestones and published progress statements."),
            absolute(reverse("task_list")),
            lambda f: absolute(reverse("tasks_data", args=[f])),
        ),
    ]
    datasets.append(
        dcat_dataset(
            "plans",
            _("Five-year plans: each target's path and yearly verdicts"),
            _("The plans' targets, the path to each, and each year's figure and verdict."),
            absolute(reverse("plan_list")),
            lambda f: absolute(reverse("plans_data", args=[f])),
        )
    )
    for indicator in Indicator.objects.public().order_by("code"):
        datasets.append(
            dcat_dataset(
                f"indicator-{indicator.code}",
                _("Published history: %(name)s") % {"name": indicator.display_name},
                _("Every published figure of the indicator, with revisions and explanations."),
                absolute(indicator.get_absolute_url()),
                lambda f, code=indicator.code: absolute(reverse("indicator_data", args=[code, f])),
            )
        )
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
        },
        "@id": absolute(reverse("dcat_catalogue")),
        "@type": "dcat:Catalog",
        "dct:title": _("Guangming District targets tracker: open data"),
        "dct:description": _("Targets, published figures and key tasks of Guangming District."),
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": publisher()},
        "dct:license": {"@id": settings.OPEN_DATA_LICENCE_URL},
        "dcat:dataset": datasets,
    }


def schema_org_dataset(name, description, page, files):
    """A schema.org Dataset: `files` as (encoding format, address) pairs."""
    return {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": name,
        "description": description,
        "url": page,
        "license": settings.OPEN_DATA_LICENCE_URL,
        "isAccessibleForFree": True,
        "creator": {"@type": "GovernmentOrganization", "name": publisher()},
        "spatialCoverage": "Guangming District, Shenzhen, China",
        "distribution": [
            {"@type": "DataDownload", "encodingFormat": media_type, "contentUrl": url}
            for media_type, url in files
        ],
    }
