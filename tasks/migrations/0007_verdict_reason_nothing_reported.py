from django.db import migrations, models


def forget_verdicts(apps, schema_editor):
    # The rules changed with the reason (a closed year's silent task is now not completed,
    # every verdict counts its late milestones): the next reader judges every task again.
    apps.get_model("tasks", "TaskVerdict").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0006_stored_verdicts"),
    ]

    operations = [
        migrations.AddField(
            model_name="taskverdict",
            name="reason",
            field=models.CharField(max_length=24, null=True),
        ),
        migrations.RunPython(forget_verdicts, migrations.RunPython.noop),
    ]
