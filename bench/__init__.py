"""The benchmark suite (``make bench``, ``python -m bench``): Stagebank under its production
server on demo data, against two baselines measured in the same run (a bare Flask app on
the same gunicorn settings, and the search's own SQL run straight through the driver).

Modules: ``stats`` (percentiles, figures), ``results`` (the table and results.json),
``client`` (HTTP load), ``servers`` (processes), ``hello`` (the bare Flask app),
``databases`` (fresh database, demo data), ``data`` (generated uploads and imports),
``rawsql`` (the search's SQL through the driver), ``operations`` (what is measured),
``run`` (the whole run per database).
"""
