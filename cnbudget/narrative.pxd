# C types for narrative.py, read by Cython when it compiles it (setup.py); Python never reads this file.
# cpdef: calls inside the module are C calls; the locals named are C integers and characters, so a
# loop over a sentence's characters (clause_start, amount_matches) is a few instructions a step.
# A name typed here must only ever hold that type: tests/test_compiled.py compares compiled and
# plain Python extraction byte for byte.

cimport cython
from cnbudget.numbers cimport fen_of
from cnbudget.reading cimport Line, Sentence, raw_span, sentences

@cython.locals(unit=Py_ssize_t, at=Py_ssize_t)
cpdef bint may_hold_figures(str text) except -1

@cython.locals(at=Py_ssize_t)
cpdef Py_ssize_t number_end(str text, Py_ssize_t unit_at) except -1

@cython.locals(unit=Py_ssize_t, start=Py_ssize_t)
cpdef list amount_matches(str text)

@cython.locals(low=Py_ssize_t, depth=Py_ssize_t, at=Py_ssize_t, char=Py_UCS4)
cpdef Py_ssize_t clause_start(str text, Py_ssize_t end) except -1

@cython.locals(text=str, at=Py_ssize_t, start=Py_ssize_t, before=Py_ssize_t, a=Py_ssize_t, b=Py_ssize_t)
cpdef scan_sentence(doc, Sentence sentence, context, title=*, previous=*)

@cython.locals(start=Py_ssize_t, end=Py_ssize_t)
cpdef bint inside_a_span(Py_ssize_t at, list spans) except -1

@cython.locals(at=Py_ssize_t, end=Py_ssize_t, before=str)
cpdef place_amount(doc, Sentence sentence, match, str label, context, printed, Py_ssize_t start)

@cython.locals(line=Line, sentence=Sentence, text=str, first_new=Py_ssize_t)
cpdef read_narrative(doc, lines=*)

@cython.locals(first=str)
cpdef heading_level(str text, list stack)
