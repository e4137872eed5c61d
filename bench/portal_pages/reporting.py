"""Reporting: the tables, the verdicts against the targets, the problems."""

import math
import statistics
from dataclasses import dataclass

import page_weight
from odoo_bench import percentile

from .common import (
    DASHBOARD_LABELS,
    DASHBOARD_MAX_MEDIAN_RATIO,
    DASHBOARD_MAX_QUERIES,
    MAX_APPLY_WEIGHT,
    MAX_MEDIAN_RATIO,
    MAX_QUERIES,
    MAX_WEIGHT_RATIO,
    MIN_LOAD_RATIO,
    SKIPPED,
    SMALL_LOGIN,
    USER_LOGIN,
    WEIGHT_APPLY,
    WEIGHT_DASHBOARD,
    WEIGHT_HOME,
    WEIGHT_SIGN_IN,
    WIDTH,
)
from .measuring import Measure

# -- report ------------------------------------------------------------------------


def fmt_ms(seconds):
    return "-" if seconds is None or math.isnan(seconds) else f"{seconds * 1000:.1f}"


@dataclass
class Row:
    """A page of a report table: its measures at the two sizes."""

    label: str
    one: Measure
    two: Measure
    kind: str = "page"  # or "baseline" (of the targets), "reference"

    @property
    def statuses(self):
        return sorted(set(self.one.statuses) | set(self.two.statuses), key=str)

    @property
    def shown(self):
        return (f"[{self.kind}] " if self.kind != "page" else "") + self.label


def ratio(measure, base):
    if not base.median:
        return math.inf
    return measure.median / base.median


def kilobytes(measure):
    return f"{statistics.mean(measure.sizes) / 1024:.1f}" if measure.sizes else "-"


def print_table(title, rows, sizes):
    big, small = sizes
    header = (
        f"{'page':<{WIDTH}} {'queries':>8} {'queries':>8} {'median':>8} {'p95':>8} "
        f"{'median':>8} {'p95':>8} {'KB':>7} {'KB':>7} {'HTTP':>5}"
    )
    sub = (
        f"{'':<{WIDTH}} {f'@{big}':>8} {f'@{small}':>8} {f'ms@{big}':>8} "
        f"{f'ms@{big}':>8} {f'ms@{small}':>8} {f'ms@{small}':>8} "
        f"{f'@{big}':>7} {f'@{small}':>7} {'':>5}"
    )
    print(f"\n{title}\n" + header + "\n" + sub + "\n" + "-" * len(header))
    for row in rows:
        one, two = row.one, row.two
        print(
            f"{row.shown:<{WIDTH}} {one.query_text:>8} {two.query_text:>8} "
            f"{fmt_ms(one.median):>8} {fmt_ms(one.p95):>8} "
            f"{fmt_ms(two.median):>8} {fmt_ms(two.p95):>8} "
            f"{kilobytes(one):>7} {kilobytes(two):>7} "
            f"{','.join(str(s) for s in row.statuses):>5}"
        )


def print_loads(loads, args):
    print(
        f"\nunder load: {args.connections} connections, {args.workers} workers, "
        f"{args.load_seconds}s each, straight to Odoo on 127.0.0.1"
    )
    header = (
        f"{'page':<{WIDTH}} {'req/s':>7} {'requests':>9} {'errors':>7} "
        f"{'p50 ms':>8} {'p95 ms':>8}"
    )
    print(header + "\n" + "-" * len(header))
    for result, kind in loads:
        lat = result.latencies
        label = (f"[{kind}] " if kind != "page" else "") + result.label
        print(
            f"{label:<{WIDTH}} {result.rps:>7.1f} {result.done:>9} "
            f"{sum(result.errors.values()):>7} "
            f"{fmt_ms(statistics.median(lat) if lat else None):>8} "
            f"{fmt_ms(percentile(lat, 0.95) if lat else None):>8}"
        )
        for error, count in result.errors.most_common(3):
            print(f"    {count} x {error}")


def table_verdicts(verdict, title, rows, sizes):
    """The targets of one table's pages against its baseline row."""
    big, small = sizes
    bad = [
        f"{row.label} (HTTP {row.statuses}, "
        f"{len(row.one.queries)}+{len(row.two.queries)} logged)"
        for row in rows
        if not (row.one.ok and row.two.ok)
        or len(row.one.queries) != len(row.one.client)
        or len(row.two.queries) != len(row.two.client)
    ]
    verdict(
        not bad,
        f"{title}: HTTP 200 for every timed request of every page, each found in "
        "the log" + (": " + "; ".join(bad) if bad else ""),
    )
    (base,) = [row for row in rows if row.kind == "baseline"]
    for row in rows:
        if row.kind != "page":
            continue
        one, two = row.one, row.two
        counts = set(one.queries) | set(two.queries)
        name = f"{title}: {row.label}"
        dashboard = row.label in DASHBOARD_LABELS
        most = DASHBOARD_MAX_QUERIES if dashboard else MAX_QUERIES
        most_ratio = DASHBOARD_MAX_MEDIAN_RATIO if dashboard else MAX_MEDIAN_RATIO
        verdict(
            bool(counts) and max(counts) <= most,
            f"{name}: at most {most} queries "
            f"(@{big} {one.query_text} / @{small} {two.query_text})",
        )
        verdict(
            len(counts) == 1,
            f"{name}: the same query count in every request and at both sizes "
            f"(@{big} {one.query_text} / @{small} {two.query_text})",
        )
        ratios = [ratio(one, base.one), ratio(two, base.two)]
        verdict(
            all(r <= most_ratio for r in ratios),
            f"{name}: median at most {most_ratio:g} x {base.label}'s "
            f"(@{big} {fmt_ms(one.median)} / {fmt_ms(base.one.median)} ms = "
            f"{ratios[0]:.2f}; @{small} {fmt_ms(two.median)} / "
            f"{fmt_ms(base.two.median)} ms = {ratios[1]:.2f})",
        )


def weight_verdicts(verdict, weights, weight_note):
    """The first-visit targets, on the weights through the compressing proxy."""
    if weights is None:
        verdict(False, f"first visit: not measured ({weight_note})")
        return
    by_label = {weight.label: weight for weight in weights}
    base = by_label[WEIGHT_HOME]
    for label in (WEIGHT_SIGN_IN, WEIGHT_DASHBOARD):
        weight = by_label[label]
        share = weight.total_transferred / base.total_transferred
        verdict(
            share <= MAX_WEIGHT_RATIO and not weight.failed,
            f"first visit: {label} at most {MAX_WEIGHT_RATIO:g} x {WEIGHT_HOME}'s "
            f"transfer ({page_weight.kib(weight.total_transferred)} / "
            f"{page_weight.kib(base.total_transferred)} KiB = {share:.2f}; "
            f"{weight.failed} failed requests)",
        )
    apply = by_label[WEIGHT_APPLY]
    verdict(
        apply.total_transferred <= MAX_APPLY_WEIGHT
        and not apply.failed
        and apply.formio == "renderer",
        f"first visit: {WEIGHT_APPLY} at most "
        f"{page_weight.kib(MAX_APPLY_WEIGHT)} KiB with formio.js's renderer "
        f"({page_weight.kib(apply.total_transferred)} KiB, formio.js: "
        f"{apply.formio}; {apply.failed} failed requests)",
    )


def check_targets(tables, loads, problems, weights=None, weight_note=""):
    """PASS/FAIL lines; True when all pass. ``tables``: (title, rows, sizes)."""
    lines = []

    def verdict(ok, text):
        lines.append(("PASS" if ok else "FAIL", text))

    for title, rows, sizes in tables:
        table_verdicts(verdict, title, rows, sizes)
    if loads:
        dashboard = next(result for result, kind in loads if kind == "page")
        for other, kind in loads:
            if kind != "baseline":
                continue
            share = dashboard.rps / other.rps if other.rps else math.inf
            verdict(
                share >= MIN_LOAD_RATIO,
                f"load: {dashboard.label} at least {MIN_LOAD_RATIO:g} x "
                f"{other.label}'s requests/s ({dashboard.rps:.1f} / "
                f"{other.rps:.1f} = {share:.2f})",
            )
        errors = sum(sum(result.errors.values()) for result, _kind in loads)
        verdict(errors == 0, f"load: no error ({errors})")
    if weights is not None or weight_note != SKIPPED:
        weight_verdicts(verdict, weights, weight_note)
    verdict(not problems, f"no error record in Odoo's log ({len(problems)})")
    print("\ntargets")
    for status, text in lines:
        print(f"  {status}  {text}")
    return all(status == "PASS" for status, _ in lines)


def print_problems(problems):
    if not problems:
        return
    print(f"\n{len(problems)} error/warning record(s) in the Odoo log, last ones:")
    print("\n".join(problems[-3:]))


def print_round(measures, pages):
    for page in pages:
        result = measures[page.label]
        sql_median = statistics.median(result.sql) if result.sql else None
        print(
            f"  {page.label:<{WIDTH}} queries {result.query_text:>6}  median "
            f"{fmt_ms(result.median):>7} ms  p95 {fmt_ms(result.p95):>7} ms"
            f"  (SQL median {fmt_ms(sql_median):>6} ms; warm-up "
            f"{result.warmup}, workers {result.pids}, HTTP "
            f"{dict(result.statuses)})",
            flush=True,
        )


def describe_people(people):
    return "; ".join(
        f"{login}: {f['entitlements']} entitlements over {f['cycles']} cycles, "
        f"{f['payments']} payments ({f['paid']} paid, {f['failed']} failed, "
        f"{f['pending']} pending), {f['notifications']} notifications"
        for login, f in ((USER_LOGIN, people["U"]), (SMALL_LOGIN, people["S"]))
    )
