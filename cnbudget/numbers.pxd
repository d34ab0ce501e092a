# C types for numbers.py, read by Cython when it compiles it (setup.py); Python never reads this file.
# fen_of reads every narrative amount: cpdef, so narrative.pxd's cimport calls it in C.

cimport cython

@cython.locals(whole=str, fraction=str, shift=Py_ssize_t)
cpdef fen_of(str number_text, str unit)
