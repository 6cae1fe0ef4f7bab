"""Cell values that are safe to hand to a spreadsheet, and the list pages' exports built from them."""

from decimal import Decimal

from django_tables2.export import TableExport as BaseTableExport

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BYTE_ORDER_MARK = "\ufeff"


def safe_cell(value):
    """Text that a spreadsheet would run as a formula is written as plain text (a leading ')."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def plain_number(value):
    """A decimal as people write it in a text file: 8, 12.5, 100000 (not 8.0000 or 1E+5); anything else as given."""
    if isinstance(value, Decimal) and value.is_finite():
        return format(value.normalize(), "f")
    return value


class TableExport(BaseTableExport):
    """django-tables2's export with a CSV that Excel opens as UTF-8 on a Chinese Windows (a byte-order mark
    first: without it Excel reads the file in the system's code page, GBK, and shows mojibake) and numbers
    written as people write them."""

    def table_to_dataset(self, table, exclude_columns, dataset_kwargs=None):
        dataset = super().table_to_dataset(table, exclude_columns, dataset_kwargs)
        if self.format == self.CSV:
            for index, row in enumerate(dataset):
                dataset[index] = [plain_number(value) for value in row]
        return dataset

    def export(self):
        exported = super().export()
        return BYTE_ORDER_MARK + exported if self.format == self.CSV else exported
