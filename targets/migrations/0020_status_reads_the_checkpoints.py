"""The status takes the target's checkpoints (in the order of their days) instead of the two either
side of the figure's day (targets/figures.sql: reportgov_expected finds those): the function of the old
arguments is dropped, and targets.apps creates the new one after this migrate, as it does every time."""

from django.db import migrations

OLD_STATUS = (
    "reportgov_status(targets_target, targets_progressentry, targets_checkpoint, targets_checkpoint, date, boolean, "
    "double precision)"
)


class Migration(migrations.Migration):
    dependencies = [("targets", "0019_entries_by_date_cover_first_reports")]

    operations = [migrations.RunSQL(f"DROP FUNCTION IF EXISTS {OLD_STATUS}", migrations.RunSQL.noop)]
