"""Turn a file's bytes into a grid of strings: encodings, CSV dialects and XLSX workbooks.

Every format parser works on the same grid (a DataFrame of str, no header, row 0 = the file's first
row) so spreadsheet row numbers in messages are simply grid index + 1.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from analysis.ingest.problems import fail

# A grid's cells: Arrow-backed text as Arrow's CSV reader gives it, whichever way the process
# infers text (analysis/cache/textmode.py); exports run to millions of cells.
TEXT = pd.StringDtype("pyarrow", na_value=float("nan"))

XLSX_MAGIC = b"PK\x03\x04"
PARQUET_MAGIC = b"PAR1"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"


def decode(data: bytes, file: str) -> str:
    """UTF-8 (with or without BOM), else cp1252 (Excel on Windows and older Macs)."""
    if not data or data.isspace():  # data.strip() would copy the whole file
        raise fail(file, "The file is empty.", "Export the data again; the file has no rows.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if data.startswith(OLE_MAGIC):
        raise fail(file, "This is an old Excel 97-2003 workbook (.xls), which crossgen does not "
                         "read.",
                   "Open it in Excel and save it as .xlsx (Excel Workbook) or CSV UTF-8.")
    if b"\x00" in data[:4096]:
        raise fail(file, "This is a binary file, not a CSV export.",
                   "Export the survey or roster as CSV (UTF-8) or XLSX and import that file.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        row, column = _locate_bad_byte(data, exc.start)
        raise fail(file, f"The text encoding is not UTF-8 or Windows-1252 (byte 0x"
                         f"{data[exc.start]:02x} cannot be read).",
                   "Save the file as 'CSV UTF-8' from Excel, or export it again as UTF-8.",
                   row=row, column=column) from exc


def _locate_bad_byte(data: bytes, offset: int) -> tuple[int, str | None]:
    """Spreadsheet row and header of the cell holding the unreadable byte (best effort)."""
    text = data[:offset].decode("cp1252", errors="replace")
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return text.count("\n") + 1, None
    if len(rows) < 2:
        return max(len(rows), 1), None
    header = rows[0]
    index = max(len(rows[-1]) - 1, 0)
    column = header[index].strip() if index < len(header) else None
    return len(rows), column or None


def read_grid(path: Path, data: bytes | None = None) -> pd.DataFrame:
    """Read CSV or XLSX into a header-less grid of strings ('' for empty cells)."""
    data = path.read_bytes() if data is None else data
    file = path.name
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data, file)
    if data.startswith(PARQUET_MAGIC):
        return _read_parquet(path, file)
    text = decode(data, file)
    try:
        dialect = csv.Sniffer().sniff(text[:20000], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    fast = _fast_grid(text, delimiter)
    if fast is not None:
        return fast
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    try:
        rows.extend(reader)
    except csv.Error as exc:
        raise fail(file, f"The CSV is malformed ({exc}); it may be truncated.",
                   "Export the file again and import the complete export.",
                   row=len(rows) + 1) from exc
    _check_complete(rows, text, file)
    if not any(cell.strip() for r in rows for cell in r):
        raise fail(file, "The file is empty.", "Export the data again; the file has no rows.")
    width = max(len(r) for r in rows)
    grid = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)
    return grid.astype(TEXT)


LINE_END = re.compile(r"[\r\n]")
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _fast_grid(text: str, delimiter: str) -> pd.DataFrame | None:
    """The grid ``read_grid`` builds, for the common well-formed file, at C speed; None when in
    doubt (the csv module then reads the file and words any problem).

    Everything up to the line holding the last quote character (header rows with quoted,
    multi-line question texts) goes through the csv module as before. The rest has no quotes,
    so a record is a line and a field is what lies between delimiters: Arrow's reader, with
    quoting off and every column text, splits it the same way and refuses ragged rows."""
    if "\x00" in text:
        return None
    cut = 0
    last_quote = text.rfind('"')
    if last_quote >= 0:
        end = LINE_END.search(text, last_quote)
        if end is None:
            return None
        cut = end.end() + (text[end.start():end.start() + 2] == "\r\n")
    # Title rows above the header (a roster's report name and run date) are narrower: the csv
    # module takes them too, so Arrow starts where the rows have one width.
    ends = [m.end() for m in itertools.islice(LINE_BREAK.finditer(text, cut), 20)]
    widths = [text.count(delimiter, a, b) for a, b in zip([cut, *ends], ends, strict=False)]
    if widths:
        narrow = [i for i, w in enumerate(widths) if w != widths[-1]]
        cut = ends[narrow[-1]] if narrow else cut
    head, rest = text[:cut], text[cut:]
    line_end = LINE_END.search(rest)
    first = rest[:line_end.start()] if line_end else rest
    if not first:
        return None
    try:
        rows = list(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter, strict=True))
    except csv.Error:
        return None
    width = first.count(delimiter) + 1
    if any(len(r) > width for r in rows):
        return None
    if not any(cell.strip() for r in rows for cell in r) and not any(
            cell.strip() for cell in first.split(delimiter)):
        return None
    names = [f"c{i}" for i in range(width)]
    try:
        body = pa_csv.read_csv(
            io.BytesIO(rest.encode("utf-8")),
            read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, quote_char=False,
                                              escape_char=False, newlines_in_values=False,
                                              ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                  strings_can_be_null=False,
                                                  quoted_strings_can_be_null=False))
    except (pa.ArrowException, UnicodeEncodeError):
        return None
    limit = csv.field_size_limit()
    columns = {}
    for i, name in enumerate(names):
        cells = body.column(name)
        if len(cells) and (pc.max(pc.utf8_length(cells)).as_py() or 0) > limit:
            return None  # the csv module refuses such a field: let it say so
        top = pa.array([r[i] if i < len(r) else "" for r in rows], pa.string())
        columns[i] = pa.chunked_array([top, *cells.chunks], pa.string())
    grid = pa.table({str(i): c for i, c in columns.items()}).to_pandas()
    grid.columns = pd.RangeIndex(width)
    return grid


def _check_complete(rows: list[list[str]], text: str, file: str) -> None:
    """A file cut off mid-row: no final line break and a last row shorter than the header."""
    if len(rows) < 2 or text.endswith(("\n", "\r")):
        return
    width = max(len(r) for r in rows[:-1])
    if 1 < len(rows[-1]) < width:
        raise fail(file, f"The last row has {len(rows[-1])} of {width} columns and no line "
                         "ending; the file looks truncated.",
                   "Export the file again (or copy it again completely) and import the whole "
                   "file.", row=len(rows))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if (value.hour or value.minute or
                                                       value.second) else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(data: bytes, file: str) -> pd.DataFrame:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:
        raise fail(file, f"The workbook cannot be opened ({exc}); it may be truncated.",
                   "Open it in Excel, save it again as .xlsx, and import that file.") from exc
    try:
        ws = wb.worksheets[0]
        rows = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:
        # Read-only workbooks load sheets lazily: a cut-off file can fail only here.
        raise fail(file, f"The workbook's first sheet cannot be read ({exc}); it may be "
                         "truncated.",
                   "Open it in Excel, save it again as .xlsx, and import that file.") from exc
    finally:
        wb.close()
    if not any(cell.strip() for r in rows for cell in r):
        raise fail(file, "The workbook's first sheet is empty.",
                   "Put the export on the first sheet, or export it again.")
    width = max(len(r) for r in rows)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object).astype(TEXT)


def _read_parquet(path: Path, file: str) -> pd.DataFrame:
    """A warehouse unload (Snowflake, BigQuery, Databricks) as the same grid: the column names,
    then every value as DuckDB writes it as text (timestamps ISO, zone offset kept for the date
    reader to drop, NULL as '')."""
    import duckdb

    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")  # a TIMESTAMPTZ reads as its UTC wall clock
        try:
            names = [r[0] for r in con.execute("describe select * from read_parquet(?)",
                                               [str(path)]).fetchall()]
            select = ", ".join(f'coalesce(cast("{n.replace(chr(34), chr(34) * 2)}" as varchar), '
                               f"'') as c{i}" for i, n in enumerate(names))
            table = con.execute(f"select {select} from read_parquet(?)",  # noqa: S608
                                [str(path)]).to_arrow_table()
        except duckdb.Error as exc:
            raise fail(file, f"The Parquet file cannot be read ({str(exc).splitlines()[0]}); "
                             "it may be truncated.",
                       "Unload the table again (COPY INTO / EXPORT DATA / df.write.parquet) and "
                       "import the complete file.") from exc
    if not names:
        raise fail(file, "The Parquet file has no columns.", "Unload the table again.")
    columns = {str(i): pa.chunked_array([pa.array([name], pa.string()),
                                         *table.column(i).cast(pa.string()).chunks])
               for i, name in enumerate(names)}
    grid = pa.table(columns).to_pandas()
    grid.columns = pd.RangeIndex(len(names))
    return grid


def find_header_row(grid: pd.DataFrame, required: list[str], *,
                    search_rows: int = 15) -> int | None:
    """Index of the first row containing every ``required`` label (title rows may sit above)."""
    wanted = {r.strip().lower() for r in required}
    for idx in range(min(search_rows, len(grid))):
        cells = {c.strip().lower() for c in grid.iloc[idx]}
        if wanted <= cells:
            return idx
    return None
