"""The number of a report's practical tasks done on a day (为民兴办20件实事, the value of a target
derived from them, Target.derivation): a task is done when every target that measures it has
reached its goal (targets' reportgov_reached) or, for a qualitative one, is at stage 已完成, counting
the approved entries, or also those awaiting review. See docs/figures.md."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION reportgov_practical_tasks_done(report bigint, as_of date, include_pending boolean)
RETURNS integer LANGUAGE sql STABLE AS $$
    SELECT count(*)::int FROM projects_practicaltask AS task
    WHERE task.report_id = report
      AND EXISTS (SELECT FROM projects_practicaltask_targets AS m WHERE m.practicaltask_id = task.id)
      AND NOT EXISTS (
        SELECT FROM projects_practicaltask_targets AS m
        JOIN targets_target AS t ON t.id = m.target_id
        LEFT JOIN LATERAL (
            SELECT e.value, e.growth_rate, e.stage, e.reported_on FROM targets_progressentry AS e
            WHERE e.target_id = t.id AND e.reported_on <= as_of AND (e.review_status = 'approved' OR (include_pending AND e.review_status = 'submitted'))
            ORDER BY e.reported_on DESC, e.id DESC LIMIT 1
        ) AS e ON true
        WHERE m.practicaltask_id = task.id
          AND NOT CASE
            WHEN t.direction = 'qualitative' THEN coalesce(e.stage = 'completed', false)
            ELSE reportgov_reached(
                t.direction,
                reportgov_subject(t.target_value, t.measure, e.value, e.growth_rate, e.reported_on, as_of),
                reportgov_goal(t.adjusted_target_value, t.target_value, t.growth_rate_target)
            )
          END
      )
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("projects", "0003_history_baseline"), ("targets", "0010_figure_functions")]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS reportgov_practical_tasks_done(bigint, date, boolean);")
    ]
