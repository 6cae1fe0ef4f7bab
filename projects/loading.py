"""Loading the practical tasks (为民兴办实事) and the major projects of the report's fixtures
(fixtures/projects.json), after targets.loading has loaded the report and the targets they point at;
`manage.py load_report` runs both in one transaction."""

from targets import loading

from .models import PracticalTask, Project

FIXTURE_FILES = (*loading.FIXTURE_FILES, "projects.json")


def load(data: dict[str, list[dict]], loaded: loading.Loaded) -> None:
    """Upsert the tasks and projects of `data` and their links to the loaded targets; remove what left."""
    up, reports = loaded.up, loaded.reports.values()

    def target_ids(report, fields):
        missing = [code for _, code in fields["targets"] if (report.pk, code) not in loaded.targets]
        if missing:
            raise loading.LoadError(f"unknown targets {', '.join(missing)}")
        return {loaded.targets[(report.pk, code)].pk for _, code in fields["targets"]}

    tasks = {
        (t.report_id, t.no): t for t in PracticalTask.objects.filter(report__in=reports).prefetch_related("targets")
    }
    seen_tasks = set()
    for fields in data.get("projects.practicaltask", []):
        report, fill, _ = loaded.report_of(fields)
        key = (report.pk, fields["no"])
        existing = tasks.get(key)
        task = up.save(
            existing, PracticalTask, {"report": report, "no": fields["no"]}, {"title": fill(fields["title"])}
        )
        current = {t.pk for t in existing.targets.all()} if existing else set()
        up.set_m2m(task.targets, target_ids(report, fields), current)
        seen_tasks.add(key)

    projects = {
        (p.report_id, p.code): p for p in Project.objects.filter(report__in=reports).prefetch_related("targets")
    }
    seen_projects = set()
    for fields in data.get("projects.project", []):
        report, fill, _ = loaded.report_of(fields)
        key = (report.pk, fields["code"])
        existing = projects.get(key)
        project = up.save(
            existing,
            Project,
            {"report": report, "code": fields["code"]},
            {
                "name": fields["name"],
                "cluster": fields["cluster"],
                "amount": loading.decimal(fields["amount"]),
                "source_text": fill(fields["source_text"]),
            },
        )
        current = {t.pk for t in existing.targets.all()} if existing else set()
        up.set_m2m(project.targets, target_ids(report, fields), current)
        seen_projects.add(key)

    loading.remove_unseen(up, tasks, seen_tasks)
    loading.remove_unseen(up, projects, seen_projects)
    loaded.counts += [f"{len(seen_tasks)} practical tasks", f"{len(seen_projects)} projects"]
