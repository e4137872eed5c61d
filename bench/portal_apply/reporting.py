"""The report: statuses, times, queries, the listen queue, the log's problems."""

import re
import statistics
from collections import Counter
from pathlib import Path

from odoo_bench import (
    ms,
    percentile,
)

# -- report ------------------------------------------------------------------------


def statuses(shots):
    counts = Counter(s.error or s.status for s in shots)
    return ", ".join(
        f"{key} x {count}" for key, count in sorted(counts.items(), key=str)
    )


def print_report(
    args, burst, replays, wall, perfs, replay_perfs, figures, log_counts, kernel
):
    posts = burst + replays
    errors = [s for s in posts if s.status != 303]
    by_status = Counter(s.error or s.status for s in errors)
    client = [s.client_s for s in burst]
    print("\nresults")
    print(
        f"  applicants: {args.applicants}; workers: {args.workers}; proxy: {args.proxy}"
    )
    print(
        f"  POSTs: {len(burst)} in the burst ({args.applicants} + {args.double} "
        f"double clicks), {len(replays)} replays after it"
    )
    print(f"  responses: {statuses(posts)}")
    print(
        "  errors by status: "
        + (", ".join(f"{k}: {v}" for k, v in by_status.items()) or "none")
    )
    unanswered = [s for s, p in zip(burst, perfs, strict=True) if s.error and p is None]
    if unanswered:
        print(
            f"    {len(unanswered)} of the errors never reached Odoo (no request "
            "line in its log)"
        )
    for shot in errors[:5]:
        print(f"    {shot.applicant.login} ({shot.kind}): {shot.error or shot.status}")
        print(f"      {shot.detail}")
    resent = [s for s in posts if s.sends > 1]
    if args.resubmit:
        print(
            f"  sent again after a connection error: {len(resent)} POST(s), "
            f"{sum(s.sends - 1 for s in resent)} resend(s) (--resubmit "
            f"{args.resubmit})"
        )
    if kernel:
        print(
            "  kernel TCP counters during the burst: "
            + ", ".join(f"{k} +{v}" for k, v in kernel.items())
        )
    print(
        f"  duplicates: {figures['duplicates']} (applicants with several "
        f"applications {figures['twice']}, repeated application IDs "
        f"{figures['repeated_ids']}, double clicks split {figures['double_split']})"
    )
    print(
        f"  applications created: {figures['applications']} (memberships "
        f"{figures['memberships']}, documents {figures['documents']})"
    )
    print(
        f"  client time per POST p50/p95/max: {ms(statistics.median(client))} / "
        f"{ms(percentile(client, 0.95))} / {ms(max(client))} ms"
    )
    found = [p for p in perfs if p is not None]
    if found:
        server = [p.server_s for p in found]
        queries = [p.queries for p in found]
        sql = [p.sql_s for p in found]
        print(
            f"  server time per POST p50/p95: {ms(statistics.median(server))} / "
            f"{ms(percentile(server, 0.95))} ms (SQL p50 "
            f"{ms(statistics.median(sql))} ms; {len(found)}/{len(perfs)} log lines)"
        )
        print(
            f"  queries per POST median/max: {statistics.median(queries):g} / "
            f"{max(queries)}"
        )
    else:
        print("  server time per POST: no request line found in the log")
    print(
        f"  burst wall time: {wall:.2f} s ({len(burst) / wall:.1f} POSTs/s), "
        "first send to last answer"
    )
    if replays:
        found = [p for p in replay_perfs if p is not None]
        client = [s.client_s for s in replays]
        line = f"  replays: client p50 {ms(statistics.median(client))} ms"
        if found:
            line += (
                f", server p50 {ms(statistics.median(p.server_s for p in found))} ms,"
                f" queries median {statistics.median(p.queries for p in found):g}"
            )
        print(line)
    print(
        f"  in Odoo's log: {log_counts['conflicts']} submission(s) retried after a "
        f"conflict, {log_counts['odoo_retries']} request(s) retried by Odoo, "
        f"{log_counts['refused']} refusal(s), {log_counts['created']} "
        "application(s) logged as created"
    )


TCP_COUNTERS = ("ListenOverflows", "ListenDrops", "SyncookiesSent", "SyncookiesFailed")


def tcp_counters():
    """The kernel's listen-queue counters (whole network namespace), if any."""
    try:
        lines = Path("/proc/net/netstat").read_text().splitlines()
    except OSError:
        return {}
    for names, values in zip(lines[::2], lines[1::2], strict=False):
        if names.startswith("TcpExt:"):
            row = dict(zip(names.split()[1:], values.split()[1:], strict=False))
            return {k: int(row[k]) for k in TCP_COUNTERS if k in row}
    return {}


def count_log(log):
    text = log.read_text(errors="replace") if log.exists() else ""
    return {
        "conflicts": text.count("Application conflicted with a concurrent one"),
        "odoo_retries": len(
            re.findall(r"odoo\.service\.model: \w+, \d+ tries left", text)
        ),
        "refused": len(re.findall(r"Application to program \d+ refused", text)),
        "created": len(re.findall(r"Application \d+ created for program", text)),
    }


def print_problems(problems):
    """Error records of Odoo's log, counted by kind, and the last ones whole."""
    if not problems:
        return
    kinds = Counter()
    for record in problems:
        first, *rest = record.splitlines()
        match = re.search(r" (ERROR|CRITICAL|WARNING) \S+ (\S+): ", first)
        kind = f"{match[1]} {match[2]}" if match else first[:80]
        detail = next((line for line in rest if line.startswith("ERROR: ")), "")
        kinds[f"{kind} {detail}".strip()] += 1
    print(f"\n{len(problems)} error/warning record(s) in the Odoo log:")
    for kind, count in kinds.most_common():
        print(f"  {count} x {kind}")
    print("last ones:")
    print("\n".join(problems[-3:]))
