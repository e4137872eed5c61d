"""Date and time components: datetime, day, time.

Form.io sends a ``datetime`` as an ISO string in the browser's time zone;
the day the person picked is the date part of that string, and bounds are
compared on that wall clock, as the date picker shows them. A ``day`` is
"MM/DD/YYYY" (or "DD/MM/YYYY") with "00" for unknown parts.
"""

import re
from datetime import date, datetime, time

from . import errors as e
from .conditions import boolean_setting
from .fields import EMPTY, INVALID, Field, format_number, number_setting

_TIME_RE = re.compile(r"([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,6})?)?")


def parse_iso(text):
    """An ISO 8601 date or date-time (``Z`` and fractions allowed) or None."""
    if not isinstance(text, str) or not 8 <= len(text) <= 40:
        return None
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _wall_clock(value):
    """Compare as the date picker shows: local wall-clock, offset dropped."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return datetime.combine(value, time())


class DateTime(Field):
    """``datetime``: ISO strings; date-only unless ``enableTime``."""

    type_name = "datetime"
    supports_multiple = True

    def __init__(self, raw, sink):
        super().__init__(raw, sink)
        widget = raw.get("widget") if isinstance(raw.get("widget"), dict) else {}
        picker = raw.get("datePicker")
        picker = picker if isinstance(picker, dict) else {}
        enable_time = raw.get("enableTime", widget.get("enableTime", True))
        self.enable_time = boolean_setting(enable_time)
        if not boolean_setting(raw.get("enableDate", True)):
            sink("datetime.time_only")
        self.min_date = self._bound(
            picker.get("minDate") or widget.get("minDate"), sink
        )
        self.max_date = self._bound(
            picker.get("maxDate") or widget.get("maxDate"), sink
        )
        self.no_weekends = boolean_setting(
            picker.get("disableWeekends", widget.get("disableWeekends", False))
        )
        self.no_weekdays = boolean_setting(
            picker.get("disableWeekdays", widget.get("disableWeekdays", False))
        )

    def _bound(self, value, sink):
        if not value:
            return None
        parsed = parse_iso(value) if isinstance(value, str) else None
        if parsed is None:
            sink("date.bound")  # a moment() expression: JavaScript
            return None
        if not self.enable_time:
            parsed = parsed.date() if isinstance(parsed, datetime) else parsed
        return _wall_clock(parsed)

    def clean_present(self, raw_value, path, report):
        parsed = parse_iso(raw_value)
        if parsed is None:
            report(path, e.INVALID_DATE)
            return INVALID
        if not self.enable_time and isinstance(parsed, datetime):
            parsed = parsed.date()  # the day the person picked, in their zone
        clock = _wall_clock(parsed)
        if self.min_date is not None and clock < self.min_date:
            report(path, e.MIN_DATE, min_date=self._show(self.min_date))
            return INVALID
        if self.max_date is not None and clock > self.max_date:
            report(path, e.MAX_DATE, max_date=self._show(self.max_date))
            return INVALID
        weekend = clock.weekday() >= 5
        if (self.no_weekends and weekend) or (self.no_weekdays and not weekend):
            report(path, e.DISABLED_DATE)
            return INVALID
        if isinstance(parsed, datetime):
            return parsed.isoformat(timespec="seconds")
        return parsed.isoformat()

    def _show(self, bound):
        if self.enable_time:
            return bound.isoformat(sep=" ", timespec="minutes")
        return bound.date().isoformat()

    def display_one(self, value):
        parsed = parse_iso(value)
        if isinstance(parsed, datetime):
            return parsed.replace(tzinfo=None).isoformat(sep=" ", timespec="minutes")
        return str(value)


class Day(Field):
    """``day``: "MM/DD/YYYY" (or "DD/MM/YYYY" with ``dayFirst``), parts "00"
    when unknown; cleaned to "YYYY-MM-DD" with zeros for the unknown parts."""

    type_name = "day"

    def __init__(self, raw, sink):
        super().__init__(raw, sink)
        fields = raw.get("fields") if isinstance(raw.get("fields"), dict) else {}
        self.parts = {}
        for name in ("day", "month", "year"):
            spec = fields.get(name) if isinstance(fields.get(name), dict) else {}
            self.parts[name] = {
                "hide": boolean_setting(spec.get("hide", False)),
                "required": boolean_setting(spec.get("required", False)),
                "min": number_setting(spec.get("minYear"), sink, "minYear"),
                "max": number_setting(spec.get("maxYear"), sink, "maxYear"),
            }
        day_first = boolean_setting(raw.get("dayFirst", False))
        self.order = ("day", "month", "year") if day_first else ("month", "day", "year")
        self.shown = tuple(n for n in self.order if not self.parts[n]["hide"])
        self.min_date = self._bound(raw.get("minDate"), sink)
        self.max_date = self._bound(raw.get("maxDate"), sink)

    def _bound(self, value, sink):
        if not value:
            return None
        parsed = parse_iso(value) if isinstance(value, str) else None
        if parsed is None:
            sink("date.bound")
            return None
        return parsed.date() if isinstance(parsed, datetime) else parsed

    def clean(self, raw_value, path, report, *, required=True):
        value = super().clean(raw_value, path, report, required=required)
        if value is INVALID or not required:
            return value
        for name in self.shown:
            part_required = self.required or self.parts[name]["required"]
            if part_required and value and self._part(value, name) == 0:
                report(path, e.REQUIRED, part=name)
                return INVALID
        return value

    @staticmethod
    def _part(value, name):
        year, month, day = (int(p) for p in value.split("-"))
        return {"year": year, "month": month, "day": day}[name]

    def clean_present(self, raw_value, path, report):
        if not isinstance(raw_value, str) or len(raw_value) > 16:
            report(path, e.INVALID_TYPE, expected="string")
            return INVALID
        pieces = raw_value.split("/")
        if len(pieces) == len(self.shown):
            names = self.shown
        elif len(pieces) == 3:
            names = self.order
        else:
            report(path, e.INVALID_DATE)
            return INVALID
        found = {"day": 0, "month": 0, "year": 0}
        for name, piece in zip(names, pieces, strict=True):
            piece = piece.strip()
            if piece in ("", "0", "00", "0000"):
                continue
            if not piece.isdigit() or not piece.isascii() or len(piece) > 4:
                report(path, e.INVALID_DATE, part=name)
                return INVALID
            found[name] = int(piece)
        year, month, day = found["year"], found["month"], found["day"]
        if not (year or month or day):
            return EMPTY
        if month > 12 or day > 31 or (year and year < 1000):
            report(path, e.INVALID_DATE)
            return INVALID
        if year and month and day:
            try:
                complete = date(year, month, day)
            except ValueError:
                report(path, e.INVALID_DATE)
                return INVALID
            if self.min_date and complete < self.min_date:
                report(path, e.MIN_DATE, min_date=self.min_date.isoformat())
                return INVALID
            if self.max_date and complete > self.max_date:
                report(path, e.MAX_DATE, max_date=self.max_date.isoformat())
                return INVALID
        year_spec = self.parts["year"]
        if year and year_spec["min"] is not None and year < year_spec["min"]:
            report(path, e.MIN_DATE, min_date=format_number(year_spec["min"]))
            return INVALID
        if year and year_spec["max"] is not None and year > year_spec["max"]:
            report(path, e.MAX_DATE, max_date=format_number(year_spec["max"]))
            return INVALID
        return f"{year:04d}-{month:02d}-{day:02d}"


class Time(Field):
    """``time``: "HH:mm[:ss]" cleaned to "HH:MM:SS"."""

    type_name = "time"
    supports_multiple = True

    def clean_present(self, raw_value, path, report):
        if not isinstance(raw_value, str) or len(raw_value) > 20:
            report(path, e.INVALID_TIME)
            return INVALID
        match = _TIME_RE.fullmatch(raw_value.strip())
        if not match:
            report(path, e.INVALID_TIME)
            return INVALID
        hours, minutes, seconds = match.group(1), match.group(2), match.group(3)
        return f"{hours}:{minutes}:{seconds or '00'}"
