"""reportgov_practical_tasks_done in PL/pgSQL. As a SQL function with a query for its body, the
planner parsed that body again at each of the twenty-odd places reportgov_value is inlined into the
ledger's statement, only to find it cannot be inlined: three quarters of the statement's planning
(41 → 13 ms on the benchmark's 300 targets). PL/pgSQL is never inlined; it plans its query once per
server session and keeps the plan itself (nothing prepared by name, so a pooler in transaction mode
does not lose it). The rule is 0004's, unchanged."""

import importlib

from django.db import migrations

previous = importlib.import_module("projects.migrations.0004_practical_tasks_done_function")
QUERY = previous.FUNCTION.split("AS $$", 1)[1].rsplit("$$;", 1)[0].strip()
FUNCTION = f"""
CREATE OR REPLACE FUNCTION reportgov_practical_tasks_done(report bigint, as_of date, include_pending boolean)
RETURNS integer LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN ({QUERY});
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("projects", "0004_practical_tasks_done_function")]

    operations = [migrations.RunSQL(FUNCTION, previous.FUNCTION)]
