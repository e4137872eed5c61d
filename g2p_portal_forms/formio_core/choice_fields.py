"""Components with options declared in the schema: select, radio, select boxes.

Form.io compares option values as JavaScript strings (a radio whose option
is ``"1"`` accepts ``1`` from the "auto" data type); the cleaned value is the
schema's option, typed by the component's ``dataType``, so the stored data
does not depend on what the browser happened to send.
"""

from . import errors as e
from .conditions import js_string
from .fields import INVALID, NUMBER_RE, Field, number_setting, validate_settings
from .limits import MAX_STRING_LENGTH


def _typed_option(value, data_type):
    """The stored value of an option, as the component's ``dataType`` says."""
    if data_type == "number":
        number = NUMBER_RE.fullmatch(js_string(value).strip())
        if number:
            number = float(js_string(value))
            return int(number) if number.is_integer() else number
        return value
    if data_type == "boolean":
        return js_string(value).strip().lower() == "true"
    if data_type == "string":
        return js_string(value)
    return value


class _Choices(Field):
    """Options declared in the schema; values are matched as Form.io strings."""

    def __init__(self, raw, sink):
        super().__init__(raw, sink)
        data_type = raw.get("dataType")
        data_type = data_type if isinstance(data_type, str) else ""
        self.options = {}  # js_string(value) -> (typed value, label)
        raw_options = self.raw_options(raw, sink)
        for option in raw_options or ():
            if not isinstance(option, dict) or "value" not in option:
                sink("options.invalid")
                continue
            value = option["value"]
            if value is None or value == "" or isinstance(value, dict | list):
                continue  # the builder's empty placeholder row
            label = option.get("label")
            label = label if isinstance(label, str) and label else js_string(value)
            self.options.setdefault(
                js_string(value), (_typed_option(value, data_type), label)
            )
        if not self.options and raw_options is not None:
            sink("options.empty")

    def raw_options(self, raw, sink):
        values = raw.get("values")
        return values if isinstance(values, list) else []

    def match(self, raw_value, path, report):
        if not isinstance(raw_value, str | int | float | bool) or (
            isinstance(raw_value, str) and len(raw_value) > MAX_STRING_LENGTH
        ):
            report(path, e.INVALID_TYPE, expected="option")
            return INVALID
        option = self.options.get(js_string(raw_value))
        if option is None:
            report(path, e.CHOICE, value=raw_value)
            return INVALID
        return option[0]

    def clean_present(self, raw_value, path, report):
        return self.match(raw_value, path, report)

    def label_of(self, value):
        option = self.options.get(js_string(value))
        return option[1] if option else js_string(value)

    def display_one(self, value):
        return self.label_of(value)


class Radio(_Choices):
    type_name = "radio"


class Select(_Choices):
    type_name = "select"
    supports_multiple = True

    def raw_options(self, raw, sink):
        source = raw.get("dataSrc") or "values"
        if source != "values":
            # options from a URL or a resource: nothing to check against
            sink("select.data_source", source=str(source)[:20])
            return None
        data = raw.get("data")
        values = data.get("values") if isinstance(data, dict) else None
        return values if isinstance(values, list) else []

    def _clean_multiple(self, raw_value, path, report):
        values = super()._clean_multiple(raw_value, path, report)
        if values is INVALID:
            return INVALID
        unique = []
        for value in values:
            if value not in unique:
                unique.append(value)
        return unique


class SelectBoxes(_Choices):
    """A dict of option value → bool; unknown options are refused."""

    type_name = "selectboxes"

    def __init__(self, raw, sink):
        super().__init__(raw, sink)
        validate = validate_settings(raw)
        self.min_selected = number_setting(
            validate.get("minSelectedCount"), sink, "minSelectedCount"
        )
        self.max_selected = number_setting(
            validate.get("maxSelectedCount"), sink, "maxSelectedCount"
        )

    @property
    def empty_value(self):
        return dict.fromkeys(self.options, False)

    def is_empty(self, value):
        return not any(value.values())

    def clean_present(self, raw_value, path, report):
        if not isinstance(raw_value, dict):
            report(path, e.INVALID_TYPE, expected="object")
            return INVALID
        value, ok = dict.fromkeys(self.options, False), True
        for key, checked in raw_value.items():
            if key not in self.options:
                report(path, e.CHOICE, value=key)
                ok = False
            elif checked is None:
                continue
            elif not isinstance(checked, bool):
                report(path, e.INVALID_TYPE, expected="boolean")
                ok = False
            else:
                value[key] = checked
        if not ok:
            return INVALID
        count = sum(value.values())
        if count:
            if self.min_selected is not None and count < self.min_selected:
                report(path, e.MIN_SELECTED, min_selected=self.min_selected)
                return INVALID
            if self.max_selected is not None and count > self.max_selected:
                report(path, e.MAX_SELECTED, max_selected=self.max_selected)
                return INVALID
        return value

    def display(self, value, *, true_label="Yes", false_label="No"):
        if not isinstance(value, dict):
            return ""
        return ", ".join(
            self.options[key][1]
            for key, checked in value.items()
            if checked and key in self.options
        )
