from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0013_seasonal_profiles"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="actual",
            index=models.Index(
                condition=models.Q(("published_value__isnull", False)),
                fields=["indicator", "period_end", "published_value"],
                name="actual_published_reading",
            ),
        ),
    ]
