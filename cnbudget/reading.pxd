# C types for reading.py, read by Cython when it compiles it (setup.py); Python never reads this file.
# A Line and a Sentence are built a few hundred times per disclosure: as extension types they are
# built in C, four times as fast as the classes with slots they are in reading.py, with the same
# fields, and a function that declares one (narrative.pxd) reads its fields without a lookup.

cimport cython

cdef class Line:
    cdef public object no, origin, page, starts, last_no
    cdef public str raw, text

cdef class Sentence:
    cdef public Line line
    cdef public str text, raw
    cdef public Py_ssize_t offset

    @cython.locals(at=Py_ssize_t, begin=Py_ssize_t)
    cpdef str printed(self, str fragment, Py_ssize_t start=*)

    cpdef str printed_at(self, Py_ssize_t start, Py_ssize_t end)

cpdef str raw_span(Line line, Py_ssize_t start, Py_ssize_t end)

@cython.locals(whole=str, start=Py_ssize_t, end=Py_ssize_t, plain=bint)
cpdef list sentences(Line line, keep=*)

@cython.locals(text=str, offset=Py_ssize_t)
cpdef cut_sentence(list out, Line line, str chunk, Py_ssize_t start, keep, bint plain)

@cython.locals(whole=str, start=Py_ssize_t, end=Py_ssize_t, plain=bint)
cpdef list sentences_at_stops(Line line, keep=*)

cpdef Sentence sentence_at(Line line, str text, Py_ssize_t offset)
