"""Hard limits that keep hostile input cheap to refuse.

A submission is JSON from the internet and a schema comes from an
administrator's browser: both are bounded before any real work, so that a
request can neither exhaust memory nor keep a worker busy for seconds.
"""

# Submissions
MAX_SUBMISSION_CHARS = 512 * 1024  # the posted JSON text of the answers
MAX_DATA_DEPTH = 32  # nesting of dicts/lists in the submitted data
MAX_DATA_NODES = 100_000  # values (scalars, dicts, lists) in one submission
MAX_GRID_ROWS = 1000  # rows of a data grid / edit grid, items of a multiple
MAX_STRING_LENGTH = 100_000  # characters of one text value (unless maxLength)
MAX_FILES = 100  # references in one file component
MAX_ERRORS = 200  # field errors reported before giving up
MAX_KEY_CHARS = 64  # an unknown key is echoed in an error path up to this

# Schemas
MAX_SCHEMA_DEPTH = 32  # nesting of components
MAX_COMPONENTS = 5000  # components in one form
MAX_LOGIC_DEPTH = 32  # nesting of a JSONLogic expression
MAX_PATTERN_LENGTH = 1000  # characters of a ``validate.pattern``
# A pattern runs on an automaton (RE2): checking an answer costs at most
# about (answer length x positions) steps, where positions are the characters
# the pattern matches once repeat counts are unrolled (``.{1,500}`` has 500).
# Both are bounded; an answer checked by a pattern of many positions is kept
# shorter, so that the worst answer costs at most MAX_PATTERN_WORK steps
# (tens of milliseconds: see bench/bench_formio_patterns.py).
MAX_PATTERN_POSITIONS = 500
MAX_PATTERN_PROGRAM = 30_000  # RE2 instructions: the memory of one pattern
MAX_PATTERN_ANSWER_LENGTH = 10_000  # characters of an answer checked by a pattern
MAX_PATTERN_WORK = 1_000_000  # answer length x positions
