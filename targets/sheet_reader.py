"""Read a workbook's sheets with python-calamine in a child process under a memory and CPU limit.

    python -I sheet_reader.py PATH MAX_ROWS MAX_COLUMNS MEMORY_BYTES CPU_SECONDS

calamine allocates a sheet's whole rectangle up to its farthest cell: a 6 KB .xls with one cell at row 65 536,
column 16 384 asks for 32 GB and aborts the process that reads it. The xlsx and ods parts are measured before
(targets.imports); an .xls is a compound file whose records would need a second reader of the format to measure,
so every workbook is read here instead, where an allocation past the limit ends this process, not the server's.
Writes to stdout a pickle of ("sheets", [(name, rows)]) or ("refused", TOO_MANY_ROWS | TOO_WIDE | UNREADABLE).
Imports nothing from the project: it runs isolated (-I), with the standard library and python-calamine only.
"""

import pickle
import resource
import sys

TOO_MANY_ROWS, TOO_WIDE, UNREADABLE = "too_many_rows", "too_wide", "unreadable"


def read(path, max_rows, max_columns):
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(path)
        sheets = []
        for name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(name)
            if sheet.total_height > max_rows:
                return ("refused", TOO_MANY_ROWS)
            if sheet.total_width > max_columns:
                return ("refused", TOO_WIDE)
            sheets.append((name, sheet.to_python(skip_empty_area=False)))
        return ("sheets", sheets)
    except MemoryError:
        return ("refused", TOO_WIDE)
    except Exception:  # calamine raises its own errors for a damaged file; the reader needs one answer
        return ("refused", UNREADABLE)


def main(argv):
    path, max_rows, max_columns, memory, seconds = argv[1], *(int(value) for value in argv[2:6])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    answer = read(path, max_rows, max_columns)
    sys.stdout.buffer.write(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    main(sys.argv)
