# C types for extract.py, read by Cython when it compiles it (setup.py); Python never reads this file.
# The collector as an extension type: add_record, run for every figure, reads its fields and the
# Sentence's directly and sets the record's keys as a dict's. `__dict__` keeps the fields a reader
# or region adds of its own (tables_found, table_codes).

cimport cython
from cnbudget.reading cimport Line, Sentence

cdef class Extraction:
    cdef public object path, document, lines, empty_line
    cdef public bint final
    cdef public list budget_lines, stated_changes, sections, warnings, function_codes
    cdef dict __dict__

    @cython.locals(record=dict, line=Line, line_id=Py_ssize_t)
    cpdef add_record(self, statement, item, label, amount_text, Sentence sentence, amount, fen, dims, phase=*)
