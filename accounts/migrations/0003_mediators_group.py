"""Staff who decide disputes belong to the Mediators group; administrators are superusers."""

from django.db import migrations


def add_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name="Mediators")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_skills_taxonomy"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(add_group, migrations.RunPython.noop)]
