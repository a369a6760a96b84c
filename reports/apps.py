from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """What reads both the targets (kpis) and the key tasks (tasks): the bulletin, the
    snapshots' document, the departments' scorecard, the reminders and their commands. It
    has no models: the bulletins, snapshots and reminders it writes are kpis models."""

    name = "reports"
