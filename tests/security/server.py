"""The WSGI app the security suite serves under gunicorn (and nginx): the real factory, on a throwaway database.

gunicorn -c gunicorn.conf.py tests.security.server:app, started by tests/security/conftest.py (subsidy.serve.Stack)
with SUBSIDY_TEST_DB, the two secrets, and SUBSIDY_TEST_CONFIG (JSON: settings a test changes, such as a rate
limit) in the environment. TESTING is off and CSRF is on: clients go through every check a real one meets.
"""

import json
import os

from app import create_app

app = create_app({
    "TESTING": False,
    "DATABASE": os.environ["SUBSIDY_TEST_DB"],
    # gunicorn.conf.py preloads the app before forking, so every worker has these same secrets.
    "SECRET_KEY": os.environ["SUBSIDY_TEST_SECRET_KEY"],
    "VERIFY_SECRET": os.environ["SUBSIDY_TEST_VERIFY_SECRET"],
    **json.loads(os.environ.get("SUBSIDY_TEST_CONFIG", "{}")),
})
