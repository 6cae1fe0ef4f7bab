-- The figures of docs/figures.md, each rule written once, as SQL functions the planner inlines.
-- Target.objects.with_progress (targets/progress.py) calls the figure functions at the end of this
-- file with the target's row (t), the counted entry's row (e, NULL when nothing counts) and the
-- checkpoints either side of the figure's day (cb, ca); the practical tasks' count
-- (projects/migrations) calls the small rules at the top. Created by migration 0010 and created
-- again after every migrate (targets.apps), so the database always runs this file as it stands.
-- Tests: tests/test_figures_differential.py against tests/reference.py.

-- The small rules ------------------------------------------------------------------------------
-- Four are PL/pgSQL (reached, year_share, rank, rank_status): the planner inlines a SQL function
-- only if every argument it reads twice is cheap, and these are handed whole figures (the subject,
-- the goal, the % complete), so as SQL they ran through the SQL-function executor at each call; as
-- PL/pgSQL each is one cached expression (the dashboard's 300 targets: 13.9 → 8.7 ms to execute).
-- The status is PL/pgSQL too (see there).

-- The value judged: the reported rate for a target given only as a growth rate, nothing for a
-- yearly goal (每年…) whose figure is of an earlier year than as_of, else the value.
CREATE OR REPLACE FUNCTION reportgov_subject(
    target_value numeric, measure text, value numeric, growth_rate numeric, reported_on date, as_of date
) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN target_value IS NULL THEN growth_rate
        WHEN measure = 'annual' AND reported_on < make_date(extract(year FROM as_of)::int, 1, 1) THEN NULL
        ELSE value
    END
$$;

-- The goal: an approved adjusted target value (延期/调整), else the target value, else the rate.
CREATE OR REPLACE FUNCTION reportgov_goal(adjusted numeric, target_value numeric, growth_rate_target numeric)
RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
    SELECT COALESCE(adjusted, target_value, growth_rate_target)
$$;

-- Reached: at least the goal, at most it (a ceiling), or within 5 % below it (左右).
CREATE OR REPLACE FUNCTION reportgov_reached(direction text, subject numeric, goal numeric)
RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN
    RETURN CASE
        WHEN subject IS NULL OR goal IS NULL THEN false
        WHEN direction = 'approximately' THEN subject >= goal - 0.05 * abs(goal)
        WHEN direction = 'at_least' THEN subject >= goal
        WHEN direction = 'at_most' THEN subject <= goal
        ELSE false
    END;
END $$;

-- Percentages are rounded to one decimal, half away from zero.
CREATE OR REPLACE FUNCTION reportgov_round1(x float8) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
    SELECT round(x::numeric, 1)::float8
$$;

-- 序时 on a straight line: the share of the days from start to finish (both counted) gone by on day.
CREATE OR REPLACE FUNCTION reportgov_share(day date, start date, finish date) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
    SELECT least(1.0, greatest(0.0, (day - start + 1)::float8 / nullif((finish - start + 1)::float8, 0.0)))
$$;

-- A yearly goal's calendar: the figure's year, within the period (none of a year outside it).
CREATE OR REPLACE FUNCTION reportgov_year_share(day date, start date, finish date) RETURNS float8 LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN
    RETURN reportgov_share(
        day,
        greatest(start, make_date(extract(year FROM day)::int, 1, 1)),
        least(finish, make_date(extract(year FROM day)::int, 12, 31))
    );
END $$;

-- Growth over the period compounds: of a goal of G % by the end, (1 + G)^share − 1 is expected.
CREATE OR REPLACE FUNCTION reportgov_compound_growth(growth_rate_target numeric, share float8)
RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
    SELECT 100.0 * (power(1.0 + growth_rate_target::float8 / 100.0, share) - 1.0)
        / nullif(growth_rate_target::float8 / 100.0, 0.0)
$$;

-- A level on the compounding path b · (t / b)^share, as a share of the way from b to t.
CREATE OR REPLACE FUNCTION reportgov_compound_level(start_from numeric, goal numeric, share float8)
RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
    SELECT 100.0 * (power(goal::float8 / start_from::float8, share) - 1.0)
        / nullif(goal::float8 / start_from::float8 - 1.0, 0.0)
$$;

-- Between checkpoints: the planned value on a straight line from the one before day to the one
-- after, as a share of the way from the start to the goal, within 0…100.
CREATE OR REPLACE FUNCTION reportgov_checkpoint_percent(
    day date, prev_on date, prev_value numeric, next_on date, next_value numeric, start_from numeric, goal numeric
) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
    SELECT least(100.0, greatest(0.0,
        100.0 * (
            prev_value::float8
            + (next_value - prev_value)::float8
                * least(1.0, (day - prev_on)::float8 / nullif((next_on - prev_on)::float8, 0.0))
            - start_from::float8
        ) / nullif((goal - start_from)::float8, 0.0)
    ))
$$;

-- How far a part is behind where it should be: 2 within the tolerance, 3 within twice it, 4 beyond.
CREATE OR REPLACE FUNCTION reportgov_rank(percent float8, expected float8, tolerance float8)
RETURNS integer LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN
    RETURN CASE WHEN percent >= expected - tolerance THEN 2 WHEN percent >= expected - 2 * tolerance THEN 3 ELSE 4 END;
END $$;

-- The status of the parts judged, from the worse one's rank (1 done … 4 far behind); past the
-- deadline, anything not done is overdue.
CREATE OR REPLACE FUNCTION reportgov_rank_status(worst integer, past_deadline boolean)
RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN
    RETURN CASE
        WHEN worst = 1 THEN 'done'
        WHEN past_deadline THEN 'overdue'
        WHEN worst = 2 THEN 'on_track'
        WHEN worst = 3 THEN 'lagging'
        WHEN worst = 4 THEN 'far_behind'
        ELSE 'no_data'
    END;
END $$;

-- A value nobody types (Target.derivation): replaced after every migrate by targets.apps from the
-- functions the apps register in targets.progress.DERIVED_VALUES.
CREATE OR REPLACE FUNCTION reportgov_derived_value(derivation text, report bigint, as_of date, include_pending boolean)
RETURNS numeric LANGUAGE sql STABLE AS $$
    SELECT NULL::numeric
$$;

-- A target's inputs -----------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION reportgov_value(t targets_target, e targets_progressentry, as_of date, include_pending boolean)
RETURNS numeric LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN t.derivation <> '' THEN reportgov_derived_value(t.derivation, t.report_id, as_of, include_pending)
        ELSE e.value END
$$;

CREATE OR REPLACE FUNCTION reportgov_reported_on(t targets_target, e targets_progressentry, as_of date)
RETURNS date LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN t.derivation <> '' THEN as_of ELSE e.reported_on END
$$;

CREATE OR REPLACE FUNCTION reportgov_subject_of(t targets_target, e targets_progressentry, as_of date, include_pending boolean)
RETURNS numeric LANGUAGE sql STABLE AS $$
    SELECT reportgov_subject(
        t.target_value, t.measure, reportgov_value(t, e, as_of, include_pending), e.growth_rate,
        reportgov_reported_on(t, e, as_of), as_of
    )
$$;

CREATE OR REPLACE FUNCTION reportgov_goal_of(t targets_target) RETURNS numeric LANGUAGE sql STABLE AS $$
    SELECT reportgov_goal(t.adjusted_target_value, t.target_value, t.growth_rate_target)
$$;

-- Where the way to the goal starts: the baseline of a level measure with a target value, else 0.
CREATE OR REPLACE FUNCTION reportgov_from(t targets_target) RETURNS numeric LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN t.measure = 'level' AND t.target_value IS NOT NULL THEN coalesce(t.baseline_value, 0) ELSE 0 END
$$;

CREATE OR REPLACE FUNCTION reportgov_deadline(t targets_target) RETURNS date LANGUAGE sql STABLE AS $$
    SELECT coalesce(t.adjusted_deadline, t.deadline)
$$;

-- D, the day the figure describes (as_of when nothing is judged).
CREATE OR REPLACE FUNCTION reportgov_judged_on(t targets_target, e targets_progressentry, as_of date, include_pending boolean)
RETURNS date LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN reportgov_subject_of(t, e, as_of, include_pending) IS NOT NULL
        THEN reportgov_reported_on(t, e, as_of) ELSE as_of END
$$;

CREATE OR REPLACE FUNCTION reportgov_rated(t targets_target) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT t.direction NOT IN ('at_most', 'qualitative')
$$;

-- The figures ------------------------------------------------------------------------------------

-- 进度: the way from the start to the goal gone (100 for a qualitative target at 已完成).
CREATE OR REPLACE FUNCTION reportgov_percent_complete(t targets_target, e targets_progressentry, as_of date, include_pending boolean)
RETURNS float8 LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN t.direction = 'at_most' THEN NULL
        WHEN t.direction = 'qualitative' THEN CASE WHEN e.stage = 'completed' THEN 100.0 END
        ELSE reportgov_round1(
            100.0 * (reportgov_subject_of(t, e, as_of, include_pending) - reportgov_from(t))::float8
            / nullif((reportgov_goal_of(t) - reportgov_from(t))::float8, 0.0)
        )
    END
$$;

-- 完成率: the value as a share of the goal (v / t).
CREATE OR REPLACE FUNCTION reportgov_completion_rate(t targets_target, e targets_progressentry, as_of date, include_pending boolean)
RETURNS float8 LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN reportgov_rated(t) AND t.target_value IS NOT NULL THEN reportgov_round1(
        100.0 * reportgov_subject_of(t, e, as_of, include_pending)::float8 / nullif(reportgov_goal_of(t)::float8, 0.0)
    ) END
$$;

-- 序时: what is expected by the figure's day.
CREATE OR REPLACE FUNCTION reportgov_expected_percent(
    t targets_target, e targets_progressentry, cb targets_checkpoint, ca targets_checkpoint, as_of date,
    include_pending boolean
) RETURNS float8 LANGUAGE sql STABLE AS $$
    SELECT reportgov_round1(CASE
        WHEN NOT reportgov_rated(t) THEN NULL
        WHEN t.target_value IS NULL AND t.growth_basis = 'over_period' AND t.growth_rate_target > 0 THEN
            reportgov_compound_growth(t.growth_rate_target, reportgov_share(
                reportgov_judged_on(t, e, as_of, include_pending), t.period_start, reportgov_deadline(t)))
        WHEN t.target_value IS NULL THEN 100.0  -- a rate is never prorated
        WHEN t.measure = 'annual' THEN
            100.0 * reportgov_year_share(reportgov_judged_on(t, e, as_of, include_pending), t.period_start, reportgov_deadline(t))
        WHEN cb.id IS NOT NULL OR ca.id IS NOT NULL THEN reportgov_checkpoint_percent(
            reportgov_judged_on(t, e, as_of, include_pending),
            coalesce(cb.due_on, t.period_start - 1), coalesce(cb.planned_value, reportgov_from(t)),
            coalesce(ca.due_on, reportgov_deadline(t)), coalesce(ca.planned_value, reportgov_goal_of(t)),
            reportgov_from(t), reportgov_goal_of(t)
        )
        WHEN t.growth_basis = 'over_period' AND reportgov_from(t) > 0 AND reportgov_goal_of(t) > reportgov_from(t) THEN
            reportgov_compound_level(reportgov_from(t), reportgov_goal_of(t), reportgov_share(
                reportgov_judged_on(t, e, as_of, include_pending), t.period_start, reportgov_deadline(t)))
        ELSE 100.0 * reportgov_share(reportgov_judged_on(t, e, as_of, include_pending), t.period_start, reportgov_deadline(t))
    END)
$$;

-- The growth rate as a share of its goal, and what is expected of it by the figure's day.
CREATE OR REPLACE FUNCTION reportgov_growth_percent(t targets_target, e targets_progressentry)
RETURNS float8 LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN reportgov_rated(t) AND t.growth_rate_target > 0
        THEN reportgov_round1(100.0 * e.growth_rate::float8 / t.growth_rate_target::float8) END
$$;

CREATE OR REPLACE FUNCTION reportgov_growth_expected_percent(t targets_target, e targets_progressentry, as_of date, include_pending boolean)
RETURNS float8 LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN reportgov_rated(t) AND t.growth_rate_target > 0 AND t.growth_basis = 'over_period' THEN
            reportgov_round1(reportgov_compound_growth(t.growth_rate_target, reportgov_share(
                reportgov_judged_on(t, e, as_of, include_pending), t.period_start, reportgov_deadline(t))))
        WHEN reportgov_rated(t) AND t.growth_rate_target > 0 THEN 100.0
    END
$$;

-- Its goal reached (a qualitative target: at stage 已完成).
CREATE OR REPLACE FUNCTION reportgov_goal_reached(t targets_target, e targets_progressentry, as_of date, include_pending boolean)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN t.direction = 'qualitative' THEN coalesce(e.stage = 'completed', false)
        ELSE reportgov_reached(t.direction, reportgov_subject_of(t, e, as_of, include_pending), reportgov_goal_of(t)) END
$$;

-- The gap to the goal in the target's unit (over a ceiling: by how much), 0 once reached.
CREATE OR REPLACE FUNCTION reportgov_gap(t targets_target, e targets_progressentry, as_of date, include_pending boolean)
RETURNS numeric LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN t.direction = 'qualitative' OR reportgov_subject_of(t, e, as_of, include_pending) IS NULL THEN NULL
        WHEN reportgov_goal_reached(t, e, as_of, include_pending) THEN 0
        WHEN t.direction = 'at_most' THEN reportgov_subject_of(t, e, as_of, include_pending) - reportgov_goal_of(t)
        ELSE reportgov_goal_of(t) - reportgov_subject_of(t, e, as_of, include_pending)
    END
$$;

-- The growth rate's gap, in percentage points.
CREATE OR REPLACE FUNCTION reportgov_growth_gap(t targets_target, e targets_progressentry)
RETURNS numeric LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN t.direction = 'qualitative' OR e.growth_rate IS NULL OR t.growth_rate_target IS NULL THEN NULL
        WHEN t.direction = 'at_most' THEN greatest(e.growth_rate - t.growth_rate_target, 0)
        ELSE greatest(t.growth_rate_target - e.growth_rate, 0)
    END
$$;

-- The status: the rules of docs/figures.md, in order; the first that holds decides. PL/pgSQL, so that
-- its one cached expression (every rule above inlined into it once per connection) is all a statement
-- calls: inlined into each statement, the status was planned again every time, twice where a list
-- sorts by it (我的目标 by status: 13.5 ms of planning), and it ran no faster for it.
CREATE OR REPLACE FUNCTION reportgov_status(
    t targets_target, e targets_progressentry, cb targets_checkpoint, ca targets_checkpoint, as_of date,
    include_pending boolean, tolerance float8
) RETURNS text LANGUAGE plpgsql STABLE AS $$ BEGIN
    RETURN CASE
        WHEN reportgov_reported_on(t, e, as_of) IS NULL OR (t.direction = 'qualitative' AND e.stage = '') THEN
            CASE WHEN reportgov_deadline(t) < as_of AND t.direction <> 'at_most' THEN 'overdue' ELSE 'no_data' END
        WHEN t.direction <> 'qualitative' AND reportgov_subject_of(t, e, as_of, include_pending) IS NULL THEN 'no_data'
        WHEN t.direction = 'at_most' THEN
            CASE WHEN reportgov_goal_reached(t, e, as_of, include_pending) THEN 'met' ELSE 'breached' END
        WHEN t.direction = 'qualitative' THEN CASE
            WHEN e.stage = 'completed' THEN 'done'
            WHEN reportgov_deadline(t) < as_of THEN 'overdue'
            WHEN e.stage = 'in_progress' THEN 'in_progress'
            ELSE 'not_started'
        END
        -- each part present judged on its own; the worse decides
        ELSE reportgov_rank_status(greatest(
            CASE
                WHEN t.target_value IS NULL THEN NULL
                WHEN reportgov_goal_reached(t, e, as_of, include_pending) THEN 1
                ELSE reportgov_rank(
                    reportgov_percent_complete(t, e, as_of, include_pending),
                    reportgov_expected_percent(t, e, cb, ca, as_of, include_pending), tolerance)
            END,
            CASE
                WHEN t.growth_rate_target IS NULL OR e.growth_rate IS NULL THEN NULL
                WHEN reportgov_reached(t.direction, e.growth_rate, t.growth_rate_target) THEN
                    -- a 同比 rate is settled by the period's final figure; growth over the period, once reached
                    CASE WHEN t.growth_basis = 'over_period'
                        OR reportgov_judged_on(t, e, as_of, include_pending) >= reportgov_deadline(t) THEN 1 ELSE 2 END
                ELSE reportgov_rank(
                    reportgov_growth_percent(t, e), reportgov_growth_expected_percent(t, e, as_of, include_pending), tolerance)
            END
        ), reportgov_deadline(t) < as_of)
    END;
END $$;
