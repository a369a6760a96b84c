import datetime
import os
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from kpis import roles
from kpis.models import Actual, Department, Indicator, Source, Target, Theme
from kpis.templatetags.kpis_tags import progress_sentence
from kpis.units import forget_unit_scales
from tasks.models import Milestone, ProgressStatement, Task
from tasks.roles import sync_task_roles

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from
# such a thread unless told otherwise. Only the test process gets this, never the settings.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SHANGHAI = ZoneInfo("Asia/Shanghai")


def sentence(result, language):
    """What an indicator's page says of `result` (`progress_sentence`) in `language`."""
    with translation.override(language):
        return progress_sentence(result)


@pytest.fixture
def year_2024_open():
    """Today is 15 October 2024: the article's target year is still under way, so its
    targets are judged on pace (from 1 January 2025 on they are judged on their final
    figures), and a quarterly figure of June is still the latest due (the September one is
    due by the end of today; from tomorrow the June figure's pace gives way to `overdue`)."""
    with time_machine.travel(datetime.datetime(2024, 10, 15, 12, tzinfo=SHANGHAI), tick=True):
        yield


@pytest.fixture
def first_day(settings):
    """Today is 1 December 2026, the day reporting starts in the tracker."""
    settings.REPORTING_STARTS = datetime.date(2026, 12, 1)
    with time_machine.travel(datetime.datetime(2026, 12, 1, 10, tzinfo=SHANGHAI), tick=True):
        yield


@pytest.fixture
def reporting_since_2024(settings):
    """Reporting in the tracker started on 1 January 2024, so 2024's periods can be late
    (by default it starts the day the test database was migrated: today)."""
    settings.REPORTING_STARTS = datetime.date(2024, 1, 1)


@pytest.fixture
def article(db):
    """The real figures of the 2024-01-31 article."""
    call_command("loaddata", "article_2024", verbosity=0)
    # As `make run` does: raw loads leave no change history, which later changes compare to.
    call_command("populate_history", auto=True, verbosity=0)


@pytest.fixture
def article_tasks(article):
    """The article's figures and its 2024 commitments that are not numbers, as key tasks."""
    call_command("loaddata", "article_2024_tasks", verbosity=0)
    call_command("populate_history", "tasks.Task", verbosity=0)


@pytest.fixture
def department(db):
    return Department.objects.create(code="science", name="科技创新局", name_en="Science Bureau")


@pytest.fixture
def other_department(db):
    return Department.objects.create(code="industry", name="产业发展局", name_en="Industry Bureau")


def make_user(username, role=None, **fields):
    user = get_user_model().objects.create_user(username, password=None, is_staff=True, **fields)
    if role:
        # Transactional tests (the browser's live server) flush the groups the data
        # migration made; put them back the way the migration does.
        if not Group.objects.filter(name=role).exists():
            roles.sync_roles(django_apps)
            sync_task_roles(django_apps)
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def anonymous():
    return Client()


@pytest.fixture
def official(department):
    """A data entry official of `department`."""
    user = make_user("official", roles.DATA_ENTRY)
    department.members.add(user)
    return user


@pytest.fixture
def other_official(other_department):
    """A data entry official of `other_department`."""
    user = make_user("other_official", roles.DATA_ENTRY)
    other_department.members.add(user)
    return user


@pytest.fixture
def reviewer(db):
    return make_user("reviewer", roles.REVIEWER)


@pytest.fixture
def second_reviewer(db):
    return make_user("second_reviewer", roles.REVIEWER)


@pytest.fixture
def manager(db):
    return make_user("manager", roles.INDICATOR_MANAGER)


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("admin", password=None)


@pytest.fixture
def source(db):
    return Source.objects.create(
        title="测试来源", publisher="Test Daily", published_on=datetime.date(2024, 1, 31)
    )


@pytest.fixture
def theme(db):
    return Theme.objects.create(code="innovation", name="科技创新", name_en="Innovation")


@pytest.fixture
def make_indicator(theme, source):
    counter = iter(range(1, 100_000))

    def build(**overrides):
        number = next(counter)
        fields = {
            "code": f"indicator-{number}",
            "name": f"指标{number}",
            "name_en": f"Indicator {number}",
            "theme": theme,
            "unit": Indicator.Unit.ENTERPRISES,
            "value_type": Indicator.ValueType.STOCK,
            "frequency": Indicator.Frequency.QUARTERLY,
            "position": number,
        }
        target = overrides.pop("target", None)
        fields.update(overrides)
        indicator = Indicator.objects.create(**fields)
        if target is not None:
            Target.objects.create(
                indicator=indicator,
                year=2024,
                value=Decimal(target),
                qualifier=Target._meta.get_field("qualifier").default,
                source=source,
                quote=f"2024年{indicator.name}达{target}。",
            )
        return indicator

    return build


@pytest.fixture
def make_actual(db):
    def build(indicator, **overrides):
        fields = {
            "indicator": indicator,
            "period_end": datetime.date(2024, 6, 30),
            "value": Decimal("1"),
            "status": Actual.Status.PUBLISHED,
        }
        fields.update(overrides)
        fields["value"] = Decimal(fields["value"])
        if fields["status"] == Actual.Status.PUBLISHED:
            fields.setdefault("reviewed_at", timezone.now())
            fields.setdefault("published_at", fields["reviewed_at"])
            fields.setdefault("published_value", fields["value"])
        return Actual.objects.create(**fields)

    return build


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache, as a newly started server would, and reads
    the units table afresh."""
    cache.clear()
    forget_unit_scales()


def pytest_collection_modifyitems(items):
    """Browser tests run last: they are the slowest, and their live server keeps SQLite's
    shared in-memory database open in another thread, which a later test that empties and
    reloads the database (backup and restore) must not meet."""
    items.sort(key=lambda item: "/browser/" in str(item.fspath))


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's default language, whatever the previous one visited."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def make_task(theme, source):
    """A key task of this year, led by no department unless given one."""
    counter = iter(range(1, 100_000))

    def build(**overrides):
        number = next(counter)
        fields = {
            "code": f"task-{number}",
            "title": f"任务{number}",
            "title_en": f"Task {number}",
            "theme": theme,
            "year": timezone.localdate().year,
            "source": source,
            "quote": f"推动任务{number}。",
            "position": number,
        }
        fields.update(overrides)
        return Task.objects.create(**fields)

    return build


def published_copy(entry, fields):
    """Give a milestone or statement built as published its published copy and dates."""
    if entry.get("status", Milestone.Status.PUBLISHED) == Milestone.Status.PUBLISHED:
        entry.setdefault("status", Milestone.Status.PUBLISHED)
        entry.setdefault("reviewed_at", timezone.now())
        entry.setdefault("published_at", entry["reviewed_at"])
        for name in fields:
            entry.setdefault(f"published_{name}", entry.get(name))
    return entry


@pytest.fixture
def make_milestone(db):
    def build(task, **overrides):
        fields = {"task": task, "title": "完成方案", "title_en": "Plan done"}
        fields.update(overrides)
        return Milestone.objects.create(**published_copy(fields, Milestone.PUBLIC_FIELDS))

    return build


@pytest.fixture
def make_statement(db):
    def build(task, **overrides):
        fields = {"task": task, "period_end": datetime.date(2024, 3, 31), "text": "按计划推进。"}
        fields.update(overrides)
        fields.setdefault("percent", None)
        fields.setdefault("completes", False)
        fields.setdefault("text_en", "")
        return ProgressStatement.objects.create(
            **published_copy(fields, ProgressStatement.PUBLIC_FIELDS)
        )

    return build


SEED = Path(__file__).resolve().parents[2] / "shared/seed/000_d14608ca280c34cf.txt"


@pytest.fixture(scope="session")
def seed_text():
    """The seed article's text, from shared/seed beside the repository."""
    if not SEED.exists():
        reason = f"The seed article is expected in {SEED.parent} (shared/seed beside the repo)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return SEED.read_text(encoding="utf-8")
