"""The parts of ``bench/bench_cluster_failover.py``: ``checking`` (the
database and the servers' logs after a phase, and the report).

Imported with ``bench/`` on ``sys.path`` (the script's own folder).
"""
