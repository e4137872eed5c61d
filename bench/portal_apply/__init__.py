"""The parts of ``bench/bench_portal_apply.py`` (the command, the burst):

- ``in_odoo``: the bench program, its form and applicants, made inside
  ``odoo-bin shell`` (also by ``bench_cluster_failover.py``);
- ``checks``: the database after the burst;
- ``reporting``: what the benchmark prints.

Imported with ``bench/`` on ``sys.path`` (the scripts' own folder).
"""
