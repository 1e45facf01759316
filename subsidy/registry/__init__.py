"""Registry-scale screening and policy simulation: the rule files compiled to a columnar evaluator.

A registry is relational data: a companies table and one table per list of the profile, keyed by credit code,
or one file in the batch layout. Columns are validated vectorised with the schema's own rules and messages,
evaluated by numpy code compiled from the rulebook, and every run re-checks a sample through durable-rules.
"""

import os

# Threads that share a registry's columns (validation) and clauses (evaluation): Arrow and numpy let go of the GIL.
THREADS = min(4, os.cpu_count() or 1)
