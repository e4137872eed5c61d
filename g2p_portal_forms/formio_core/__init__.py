"""Form.io core of the portal forms: schema walk, server-side validation,
layout of answers, prefill and documents (plain Python, never Odoo).

The shell (models, controllers) passes plain values: the builder schema (a
dict or its JSON), the submission's ``data`` object, the locked values, the
first bytes of an upload. Why our own walker rather than ``formio-data``:
that library parses schemas and submissions for *display* (its
``Builder``/``Form`` objects), checks nothing but ``required``, has no
``container`` component, falls back silently on unknown types and indexes
components by bare key (keys of different grids collide). Server-side
validation needs the opposite on every point, so it serves here only as an
independent parser in the tests.
"""

from .components import SUPPORTED_COMPONENT_TYPES
from .documents import (
    EXTENSIONS,
    JPEG,
    PDF,
    PNG,
    check_document,
    read_bounded,
    sanitize_filename,
    sniff_document,
)
from .errors import (
    DOCUMENT_EMPTY,
    DOCUMENT_SIZE,
    DOCUMENT_TYPE,
    FIELD_ERROR_CODES,
    MESSAGES,
    DocumentError,
    FieldError,
    FormioCoreError,
    PrefillError,
    Problem,
    SchemaError,
    SubmissionUnreadable,
)
from .layout import LayoutRow, WizardPage, form_layout, wizard_pages
from .prefill import PrefillRule, check_prefill_mapping, prefill_values
from .schema_check import check_schema
from .submission import json_depth, read_submission
from .validation import ValidationResult, measure_data, validate_submission
from .walker import SAFE_KEY_RE, CompiledForm, compile_form

__all__ = [
    "DOCUMENT_EMPTY",
    "DOCUMENT_SIZE",
    "DOCUMENT_TYPE",
    "EXTENSIONS",
    "FIELD_ERROR_CODES",
    "JPEG",
    "MESSAGES",
    "PDF",
    "PNG",
    "SAFE_KEY_RE",
    "SUPPORTED_COMPONENT_TYPES",
    "CompiledForm",
    "DocumentError",
    "FieldError",
    "FormioCoreError",
    "LayoutRow",
    "PrefillError",
    "PrefillRule",
    "Problem",
    "SchemaError",
    "SubmissionUnreadable",
    "ValidationResult",
    "WizardPage",
    "check_document",
    "check_prefill_mapping",
    "check_schema",
    "compile_form",
    "form_layout",
    "json_depth",
    "measure_data",
    "prefill_values",
    "read_submission",
    "read_bounded",
    "sanitize_filename",
    "sniff_document",
    "validate_submission",
    "wizard_pages",
]
