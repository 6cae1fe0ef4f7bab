"""The small rules every figure shares, as SQL functions the planner inlines (LANGUAGE sql
IMMUTABLE): the value judged, the goal, and whether it is reached. with_progress calls them, and so
does any other computation that needs to know whether a target reached its goal (the practical
tasks done, projects/migrations), so the rule is written once. See docs/figures.md."""

from django.db import migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION reportgov_subject(
    target_value numeric, measure text, value numeric, growth_rate numeric, reported_on date, as_of date
) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN target_value IS NULL THEN growth_rate
        WHEN measure = 'annual' AND reported_on < make_date(extract(year FROM as_of)::int, 1, 1) THEN NULL
        ELSE value
    END
$$;

CREATE OR REPLACE FUNCTION reportgov_goal(adjusted numeric, target_value numeric, growth_rate_target numeric)
RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
    SELECT COALESCE(adjusted, target_value, growth_rate_target)
$$;

CREATE OR REPLACE FUNCTION reportgov_reached(direction text, subject numeric, goal numeric)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN subject IS NULL OR goal IS NULL THEN false
        WHEN direction = 'approximately' THEN subject >= goal - 0.05 * abs(goal)
        WHEN direction = 'at_least' THEN subject >= goal
        WHEN direction = 'at_most' THEN subject <= goal
        ELSE false
    END
$$;
"""

DROP = """
DROP FUNCTION IF EXISTS reportgov_subject(numeric, text, numeric, numeric, date, date);
DROP FUNCTION IF EXISTS reportgov_goal(numeric, numeric, numeric);
DROP FUNCTION IF EXISTS reportgov_reached(text, numeric, numeric);
"""


class Migration(migrations.Migration):
    dependencies = [("targets", "0009_growth_basis_derivation_unusual")]

    operations = [migrations.RunSQL(FUNCTIONS, DROP)]
