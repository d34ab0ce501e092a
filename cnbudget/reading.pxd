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

@cython.locals(start=Py_ssize_t, end=Py_ssize_t)
cpdef str raw_span(Line line, Py_ssize_t start, Py_ssize_t end)

@cython.locals(whole=str, start=Py_ssize_t, end=Py_ssize_t, plain=bint)
cpdef list sentences(Line line, keep=*)

@cython.locals(text=str, offset=Py_ssize_t)
cpdef cut_sentence(list out, Line line, str chunk, Py_ssize_t start, keep, bint plain)

@cython.locals(whole=str, start=Py_ssize_t, end=Py_ssize_t, plain=bint)
cpdef list sentences_at_stops(Line line, keep=*)

cpdef Sentence sentence_at(Line line, str text, Py_ssize_t offset)
