from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, register_converter

from api import views as api_views
from api.api import api
from catalog import feeds as catalog_feeds
from catalog import views as catalog_views
from identity import urls as identity_urls
from identity.views import SignInView, SignOutView
from kpis import views
from kpis.converters import BulletinFormat, DataFormat, DateConverter
from plans import views as plan_views
from reports import views as report_views
from tasks import views as task_views

register_converter(DateConverter, "date")
register_converter(DataFormat, "data_format")
register_converter(BulletinFormat, "bulletin_format")

urlpatterns = [
    # The admin's "log out" too ends the session at the identity platform.
    path("admin/logout/", SignOutView.as_view()),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("data/progress.<data_format:file_format>", views.progress_data, name="progress_data"),
    path(
        "data/indicators/<slug:code>.<data_format:file_format>",
        views.indicator_data,
        name="indicator_data",
    ),
    path(
        "snapshots/<date:taken_on>.<data_format:file_format>",
        views.snapshot_data,
        name="snapshot_data",
    ),
    path("data/tasks.<data_format:file_format>", task_views.tasks_data, name="tasks_data"),
    path("api/v1/", api.urls),
    path("data/datapackage.json", catalog_views.data_package, name="data_package"),
    path("data/progress.csv-metadata.json", catalog_views.progress_csvw, name="progress_csvw"),
    path("data/catalog.jsonld", catalog_views.dcat_catalogue, name="dcat_catalogue"),
    path("data/plans.<data_format:file_format>", plan_views.plans_data, name="plans_data"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("oidc/", include(identity_urls.oidc_patterns)),
    path("cas/", include(identity_urls.cas_patterns)),
]

urlpatterns += i18n_patterns(
    path("", views.progress_page, name="progress"),
    path("data/", views.data_index, name="data_index"),
    path("api/docs/", api_views.api_docs, name="api_docs"),
    path("data/dataset.jsonld", catalog_views.data_dataset, name="data_dataset"),
    path("feeds/published.atom", catalog_feeds.PublishedFeed(), name="published_feed"),
    path("indicators/<slug:code>/feed.atom", catalog_feeds.IndicatorFeed(), name="indicator_feed"),
    path(
        "indicators/<slug:code>/dataset.jsonld",
        catalog_views.indicator_dataset,
        name="indicator_dataset",
    ),
    path("embed/indicators/<slug:code>/", catalog_views.embed_indicator, name="embed_indicator"),
    path("departments/", report_views.department_scorecard, name="department_scorecard"),
    path("snapshots/", views.snapshot_list, name="snapshot_list"),
    path("snapshots/<date:taken_on>/", views.snapshot_detail, name="snapshot_detail"),
    path("my/snapshots/", report_views.take_snapshot, name="take_snapshot"),
    path("bulletins/", views.bulletin_list, name="bulletin_list"),
    path(
        "bulletins/<date:as_of>.<bulletin_format:file_format>",
        views.bulletin_file,
        name="bulletin_file",
    ),
    path("my/bulletins/", report_views.make_bulletin, name="make_bulletin"),
    path("indicators/<slug:code>/", views.indicator_detail, name="indicator_detail"),
    path("my/", views.my_updates, name="my_updates"),
    path("my/review/", report_views.batch_review, name="batch_review"),
    path("my/evidence/<str:kind>/<int:pk>/", report_views.evidence_file, name="evidence_file"),
    path("my/enter/<slug:code>/<date:period_end>/", views.enter_figure, name="enter_figure"),
    path("my/enter/<date:period_end>/", views.enter_period, name="enter_period"),
    path("my/figures/<int:pk>/", views.figure_detail, name="figure_detail"),
    path("my/figures/<int:pk>/submit/", views.submit_figure, name="submit_figure"),
    path("my/figures/<int:pk>/review/", views.review_figure, name="review_figure"),
    path("", include("tasks.urls")),
    path("", include("plans.urls")),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", SignOutView.as_view(), name="logout"),
    path("", include("accounts.urls")),
    *identity_urls.page_patterns,
    prefix_default_language=False,
)

handler500 = "kpis.errors.server_error"
