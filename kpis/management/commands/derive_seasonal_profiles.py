from django.core.management import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from kpis import periods
from kpis.models import Indicator
from kpis.progress import derive_profile


class Command(BaseCommand):
    help = (
        "Give each monthly or quarterly indicator that has no seasonal profile the profile "
        "of its own published figures of the last complete years (two at least). With "
        "--replace, existing profiles are derived afresh too."
    )

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=3, help="How many past years to use.")
        parser.add_argument("--replace", action="store_true", help="Replace existing profiles.")

    def handle(self, years, replace=False, **options):
        last = timezone.localdate().year - 1
        first = last - years + 1
        derived = 0
        indicators = Indicator.objects.exclude(frequency=Indicator.Frequency.ANNUAL)
        if not replace:
            indicators = indicators.filter(seasonal_profile__isnull=True)
        for indicator in indicators:
            published = dict(
                indicator.actuals.published()
                .filter(period_end__year__gte=first, period_end__year__lte=last)
                .values_list("period_end", "published_value")
            )
            by_year = [
                [published.get(end) for end in periods.period_ends("monthly", year)]
                for year in range(first, last + 1)
            ]
            profile = derive_profile(by_year, indicator.value_type)
            if profile is None:
                continue
            used = sorted({end.year for end in published})
            indicator.seasonal_profile = profile
            indicator.seasonal_profile_note = _(
                "Derived from the published figures of %(first)s–%(last)s."
            ) % {"first": used[0], "last": used[-1]}
            indicator._change_reason = "derive_seasonal_profiles"
            indicator.save()
            derived += 1
        self.stdout.write(f"Seasonal profiles derived for {derived} indicators.")
