"""Why an application was not accepted, for the person and for the page."""

from odoo.exceptions import UserError


class ApplicationRefused(UserError):
    """The program does not take this application (closed, already applied…).

    ``code`` names the rule for logs and tests; ``application`` is the
    open application the message points to, if any.
    """

    def __init__(self, code, message, application=None):
        super().__init__(message)
        self.code = code
        self.application = application


class SubmissionInvalid(UserError):
    """The answers or documents did not pass validation.

    ``field_errors`` maps a form key path, or ``document_<id>``, to a list
    of messages; the form is shown again with the answers kept.
    """

    def __init__(self, message, field_errors):
        super().__init__(message)
        self.field_errors = field_errors
