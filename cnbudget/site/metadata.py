"""metadata.yml's column descriptions, generated from cnbudget/schema.py so the two never disagree.

Only the `columns:` block of each schema table is rewritten (title + "。" + description of every
field, in schema order); titles, canned queries and comments written by hand stay as they are.
`cnbudget metadata` writes the file, `cnbudget metadata --check` and the tests compare it.
"""

import json
import re

from cnbudget.schema import SCHEMAS

TABLE_LINE = re.compile(r"^      (?P<name>\w+):\s*$")
COLUMNS_LINE = "        columns:"
COLUMN_INDENT = " " * 10


def column_lines(table):
    """The generated `name: "title。description"` lines of one table."""
    return [f"{COLUMN_INDENT}{f['name']}: {json.dumps(f['title'] + '。' + f['description'], ensure_ascii=False)}"
            for f in SCHEMAS[table]["fields"]]


def regenerate(text):
    """metadata.yml text with every schema table's columns block generated from the schema."""
    out, table, skipping = [], None, False
    for line in text.splitlines():
        if skipping:
            if line.startswith(COLUMN_INDENT) or not line.strip():
                continue
            skipping = False
        match = TABLE_LINE.match(line)
        if match:
            table = match["name"]
        if line.rstrip() == COLUMNS_LINE and table in SCHEMAS:
            out.append(line.rstrip())
            out.extend(column_lines(table))
            skipping = True
            continue
        out.append(line)
    return "\n".join(out) + "\n"
