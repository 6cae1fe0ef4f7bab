"""Speed, in one place: a table's rows written as django-tables2 3.0.1 writes them, faster.

我的目标 draws 25 rows × 10 cells; django-tables2's template renders each cell through BoundRow.get_cell
(django_tables2/rows.py), which works out again for every cell what is the same on every row: the
cell's attributes and which arguments the column's render() takes. FastRows.rendered_rows works them
out once per column and writes the same HTML (templates/tables/target_table.html uses it for the
tbody). Measured with `BENCH_ARGS="--only list" make bench` on a loaded machine: 660 ms a page with
it, 880 ms with django-tables2's own rows.

It leans on django-tables2's internals (BoundColumn.render/link/default, BoundRow.get_cell, the
indentation of django_tables2/table.html), so it is tied to the version it was written for:
tests/test_table_speed.py compares it byte for byte with django-tables2's own rendering on every
column type, and importing it with another version fails, saying what to do."""

from importlib.metadata import version

import django_tables2 as tables
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django_tables2.utils import Accessor, signature

WRITTEN_FOR = "3.0.1"
TEMPLATE_CONTEXT = Context()  # what a template's {{ }} knows: autoescape on, the active language's formats
INSTALLED = version("django-tables2")
if INSTALLED != WRITTEN_FOR:
    raise ImproperlyConfigured(
        f"targets/table_speed.py was written for django-tables2 {WRITTEN_FOR}, and {INSTALLED} is installed: "
        "run tests/test_table_speed.py, adapt FastRows to the new BoundRow.get_cell and table.html "
        "(or drop it and the tbody block of templates/tables/target_table.html), then set WRITTEN_FOR."
    )


class FastRows:
    """A django-tables2 Table mixin: `rendered_rows`, the page's rows as HTML (see the module)."""

    def rendered_rows(self):
        """The page's rows as django_tables2/table.html writes them, whitespace and all (each cell
        as BoundRow.get_cell renders it, shown as the template shows it): the cell attributes and the
        render() signature are read once per column (no callable attrs here)."""
        columns = [_FastColumn(column) for column in self.columns]
        row_line, cell_line, loop_line = "\n" + " " * 20, "\n" + " " * 28, "\n" + " " * 24
        for row in self.paginated_rows:
            cells = "".join(
                f"{cell_line}{column.td}{column.html(column.cell(row))}</td>{loop_line}" for column in columns
            )
            yield mark_safe(
                f"{row_line}{row_line}<tr {row.attrs.as_html()}>{loop_line}{cells}{row_line}</tr>{row_line}\n"
                + " " * 16
            )


class _FastColumn:
    """One column of FastRows.rendered_rows: BoundRow.get_cell (django_tables2/rows.py) with
    the render function's signature read once, not once per cell. A value read from a model field
    with choices (which get_cell shows through get_FOO_display) goes through get_cell itself."""

    def __init__(self, bound_column):
        self.bound_column = bound_column
        self.name = bound_column.name
        self.td = format_html("<td {}>", bound_column.attrs["td"].as_html())
        self.accessor = Accessor(bound_column.accessor)
        self.empty_values = bound_column.column.empty_values
        self.arguments, self.takes_any = signature(bound_column.render)
        self.localize = bound_column.localize
        self.plain = None  # decided on the first row

    def html(self, cell):
        """The cell as the template's {{ cell }}, {{ cell|localize }} or {{ cell|unlocalize }} writes it."""
        if self.localize is not None:
            cell = str(formats.localize(cell, use_l10n=self.localize))
        return render_value_in_context(cell, TEMPLATE_CONTEXT)

    def cell(self, row):
        record = row.record
        if self.plain is None:
            try:
                field = self.accessor.get_field(record)
            except Exception:
                field = None
            self.plain = (
                isinstance(record, models.Model)
                and not getattr(field, "choices", None)
                and not isinstance(self.bound_column.column, tables.ManyToManyColumn)
            )
        if not self.plain:
            return row.get_cell(self.name)
        try:
            value = self.accessor.resolve(record)
        except Exception:
            value = None
        if value in self.empty_values:
            return self.bound_column.default
        given = {
            "value": value,
            "record": record,
            "column": self.bound_column.column,
            "bound_column": self.bound_column,
            "bound_row": row,
            "table": row.table,
        }
        if self.takes_any:
            content = self.bound_column.render(**given)
        elif all(name in given for name in self.arguments):
            content = self.bound_column.render(**{name: given[name] for name in self.arguments})
        else:
            content = None
        return self.bound_column.link(content, **given) if self.bound_column.link else content
