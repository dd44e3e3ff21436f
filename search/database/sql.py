"""SQL text and its named parameters, built side by side by the vendors' statements (``postgres``, ``sqlite``)."""


class NamedParams:
    """Collects the parameters of one statement under generated names (``%(p0)s``…).

    Named rather than positional: a fragment may appear twice in the text (a
    score in the page and in the candidates) and still bind one value.
    """

    def __init__(self):
        self.params = {}

    def param(self, value) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"%({name})s"
