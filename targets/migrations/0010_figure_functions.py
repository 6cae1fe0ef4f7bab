"""The figures' SQL functions (targets/figures.sql; docs/figures.md says what they compute).

The file is run as it stands: here, so that the migrations after this one can use the functions,
and again after every migrate (targets.apps), so that a changed rule reaches every database without
a migration of its own. Function bodies are checked when they are first called, not here: the file
may use columns that later migrations add."""

from pathlib import Path

from django.db import migrations

FIGURES_SQL = Path(__file__).resolve().parent.parent / "figures.sql"


def create_functions(apps, schema_editor):
    schema_editor.execute("SET LOCAL check_function_bodies = off")
    schema_editor.execute(FIGURES_SQL.read_text(encoding="utf-8"), None)  # no parameters: its "%" are text


class Migration(migrations.Migration):
    dependencies = [("targets", "0009_growth_basis_derivation_unusual")]

    operations = [migrations.RunPython(create_functions, migrations.RunPython.noop)]
