# Declarations Cython reads beside reading.py when it compiles it (setup.py); Python never reads this file.
# A Line and a Sentence are built a few hundred times per disclosure: as extension types they are
# built in C, four times as fast as the classes with slots they are in reading.py, with the same fields.

cdef class Line:
    cdef public object no, raw, text, origin, page, starts, last_no

cdef class Sentence:
    cdef public object line, text, raw, offset
