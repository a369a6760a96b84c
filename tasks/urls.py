"""The tasks' pages, included by tracker/urls.py inside the language prefix; the open data
file lives with the other files, outside it."""

from django.urls import path

from tasks import views

urlpatterns = [
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<slug:code>/", views.task_detail, name="task_detail"),
    path("my/tasks/", views.my_tasks, name="my_tasks"),
]

for kind in ("milestones", "statements"):
    urlpatterns += [
        path(
            f"my/tasks/<slug:code>/{kind}/new/",
            views.new_entry,
            {"kind": kind},
            name="new_task_entry",
        ),
        path(f"my/tasks/{kind}/<int:pk>/", views.entry_detail, {"kind": kind}, name="task_entry"),
        path(
            f"my/tasks/{kind}/<int:pk>/submit/",
            views.submit_entry,
            {"kind": kind},
            name="submit_task_entry",
        ),
        path(
            f"my/tasks/{kind}/<int:pk>/review/",
            views.review_entry,
            {"kind": kind},
            name="review_task_entry",
        ),
    ]
