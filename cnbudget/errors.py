"""The one error type a user sees: bad input, named by file, place and what was expected."""


class InputError(Exception):
    """A source that cannot be read as a budget disclosure."""

    def __init__(self, path, expected, line=None, page=None):
        self.path = str(path)
        self.expected = expected
        self.line = line
        self.page = page
        where = self.path
        if page is not None:
            where += f", page {page}"
        if line is not None:
            where += f", line {line}"
        super().__init__(f"{where}: {expected}")

    def __reduce__(self):
        # Rebuilt from its parts when it crosses a process boundary (parallel builds).
        return (self.__class__, (self.path, self.expected, self.line, self.page))
