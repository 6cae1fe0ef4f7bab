"""load_report: put the report's fixtures (fixtures/*.json) into the database for a given year — the
report, its sections, departments, targets and glossary (targets.loading), then the practical tasks
and projects that point at them (projects.loading), in one transaction. Idempotent; recorded
progress is never lost (see targets.loading)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from projects import loading as projects_loading
from targets import loading
from targets.history import command_context
from targets.models import Report


class Command(BaseCommand):
    help = "Load the report, its sections, departments, targets, glossary, practical tasks and projects."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="the report's year (default: this year)")
        parser.add_argument("--fixtures", default=str(loading.FIXTURES_DIR), help="directory of the fixture files")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="load only if the fixtures' report is not in the database yet (leaves admins' edits alone)",
        )

    def handle(self, *args, year=None, fixtures=None, if_missing=False, **options):
        year = year or timezone.localdate().year
        if not 1001 <= year <= 9995:  # the filled-in years keep the text's length: four digits
            raise CommandError(f"year out of range: {year}")
        try:
            data = loading.read_fixtures(Path(fixtures or loading.FIXTURES_DIR), projects_loading.FIXTURE_FILES)
            if if_missing:
                codes = [fields["code"] for fields in data.get("targets.report", [])]
                present = list(Report.objects.filter(code__in=codes).values_list("code", flat=True))
                if present and len(present) == len(codes):
                    self.stdout.write(f"report {', '.join(present)} already loaded: nothing to do (--if-missing)")
                    return
            with command_context("load_report"), transaction.atomic():
                loaded = loading.load(data, year)
                projects_loading.load(data, loaded)
        except loading.LoadError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(loaded.summary())
