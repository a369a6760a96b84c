import json
from functools import wraps

from csp.constants import NONE
from csp.decorators import csp_replace
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt

from catalog import describe
from catalog.sparkline import sparkline
from kpis.caching import public_cache
from kpis.models import Indicator


def json_file(document, content_type="application/json"):
    body = json.dumps(document, ensure_ascii=False, indent=1)
    return HttpResponse(body, content_type=f"{content_type}; charset=utf-8")


@public_cache
def data_package(request):
    return json_file(describe.data_package(request.build_absolute_uri))


@public_cache
def progress_csvw(request):
    return json_file(describe.csvw_metadata(request.build_absolute_uri), "application/csvm+json")


@public_cache
def dcat_catalogue(request):
    return json_file(describe.dcat_catalogue(request.build_absolute_uri), "application/ld+json")


@public_cache
def data_dataset(request):
    absolute = request.build_absolute_uri
    document = describe.schema_org_dataset(
        describe.package_title(),
        describe.package_description(),
        absolute(reverse("data_index")),
        [
            (describe.FORMATS[f][0], absolute(reverse("progress_data", args=[f])))
            for f in describe.FORMATS
        ],
    )
    return json_file(document, "application/ld+json")


@public_cache
def indicator_dataset(request, code):
    indicator = get_object_or_404(Indicator.objects.public(), code=code)
    absolute = request.build_absolute_uri
    files = [
        (describe.FORMATS[f][0], absolute(reverse("indicator_data", args=[code, f])))
        for f in describe.FORMATS
    ]
    document = describe.schema_org_dataset(
        indicator.display_name,
        indicator.definition or indicator.display_name,
        absolute(reverse("indicator_detail", args=[code])),
        files,
    )
    return json_file(document, "application/ld+json")


def framable(view):
    """Let the district's portal frame this page: `frame-ancestors` lists the origins of
    KPI_EMBED_ORIGINS (read on each request) and X-Frame-Options steps aside; with none set
    the page is framed by nobody, as every other page is."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        origins = settings.EMBED_ORIGINS
        policy = {"frame-ancestors": list(origins) if origins else [NONE]}
        inner = csp_replace(policy)(view)
        if origins:
            inner = xframe_options_exempt(inner)
        return inner(request, *args, **kwargs)

    return wrapped


@framable
@public_cache
def embed_indicator(request, code):
    today = timezone.localdate()
    indicators = Indicator.objects.public()
    year = indicators.progress_year(today)
    indicator = get_object_or_404(indicators.with_year_figures(year, today), code=code)
    indicator.attach_progress(year, today)
    readings = [actual.published_value for actual in indicator.published_history()]
    context = {"indicator": indicator, "year": year, "sparkline": sparkline(readings[-12:])}
    return render(request, "catalog/embed.html", context)
