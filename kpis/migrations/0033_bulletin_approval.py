"""A bulletin is a draft until a leader approves it; the bulletins made before this step
existed were issued as they were, so they count as approved (approved at their making, by
no one recorded) and nothing public disappears."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def approve_existing(apps, schema_editor):
    Bulletin = apps.get_model("kpis", "Bulletin")
    Bulletin.objects.update(status="approved", approved_at=models.F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0032_merge_overdue_and_units"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="bulletin",
            options={
                "ordering": ["-as_of", "language", "-version"],
                "permissions": [("approve_bulletin", "Can approve bulletins")],
                "verbose_name": "bulletin",
                "verbose_name_plural": "bulletins",
            },
        ),
        migrations.AddField(
            model_name="bulletin",
            name="approved_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="approved at"
            ),
        ),
        migrations.AddField(
            model_name="bulletin",
            name="approved_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="approved by",
            ),
        ),
        migrations.AddField(
            model_name="bulletin",
            name="status",
            field=models.CharField(
                choices=[("draft", "draft"), ("approved", "approved")],
                default="draft",
                editable=False,
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.RunPython(approve_existing, migrations.RunPython.noop),
    ]
