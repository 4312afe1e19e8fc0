"""Load the eight seed programmes (fixtures/templates/*.yaml) as version 1 of their templates.

Idempotent: a template whose code exists is left alone (later changes to the files are loaded with
``miaopu load-templates --update``, which adds versions instead of rewriting them). No audit rows: this is
the installation itself, not a user's change.
"""

from django.db import migrations


def load(apps, schema_editor):
    from miaopu.apps.programmes.fixtures import read_template_file, shipped_template_files

    Template = apps.get_model("programmes", "ProgrammeTemplate")
    Version = apps.get_model("programmes", "TemplateVersion")
    for path in shipped_template_files():
        document, source = read_template_file(path)
        if Template.objects.filter(code=document.code).exists():
            continue
        template = Template.objects.create(
            code=document.code, name=document.name, kind=document.kind, seed=document.seed,
            description=document.description,
        )
        Version.objects.create(template=template, number=1, spec=document.spec.to_data(), source_text=source,
                               note="随系统安装的模板")


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
