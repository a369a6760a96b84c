from django.db import migrations


def forget_judged_rows(apps, schema_editor):
    """The judged rows were written before `overdue` existed (and with other places in the
    order of attention): the next reader judges every indicator again."""
    apps.get_model("kpis", "Judgement").objects.all().delete()
    apps.get_model("kpis", "JudgedYear").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0029_qualifier_help_texts_name_floors_and_ceilings"),
    ]

    operations = [migrations.RunPython(forget_judged_rows, migrations.RunPython.noop)]
