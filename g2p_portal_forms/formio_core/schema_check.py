"""What an administrator must fix before a form can be mapped to a program.

The mapping wizard calls :func:`check_schema` and refuses a form with any
problem: fatal ones make server-side validation impossible (unsupported
component types, unsafe or duplicate keys, options from a URL, invalid
patterns); the others are features the browser runs and the server does not
(JavaScript conditions, calculated values, custom validation, field logic),
where the two could disagree about what the person may submit.
"""

from .errors import Problem, SchemaError
from .walker import compile_form


def check_schema(schema):
    """``[Problem, ...]``; empty when the server fully understands the form."""
    try:
        form = compile_form(schema)
    except SchemaError as error:
        return [Problem(path="", code=error.code, message=str(error), fatal=True)]
    return list(form.problems)
