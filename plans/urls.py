"""The plans' pages, included by tracker/urls.py inside the language prefix; the open data
file lives with the other files, outside it."""

from django.urls import path

from plans import views

urlpatterns = [
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/<slug:code>/", views.plan_detail, name="plan_detail"),
    path(
        "plans/<slug:code>/reviews/<int:pk>.<bulletin_format:file_format>",
        views.plan_review_file,
        name="plan_review_file",
    ),
]
