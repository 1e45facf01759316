"""The WSGI app the browser tests serve under gunicorn: the real factory, on a throwaway database.

gunicorn -c gunicorn.conf.py tests.browser.server:app behind nginx (subsidy.serve.Stack), with SUBSIDY_TEST_DB (and optionally SUBSIDY_TEST_SECRET_KEY,
SUBSIDY_TEST_VERIFY_SECRET) in the environment; tests/browser/conftest.py starts it. TESTING is off and CSRF is on:
the browser goes through the same checks as a firm would.
"""

import os
import secrets

from app import create_app

app = create_app({
    "TESTING": False,
    "DATABASE": os.environ["SUBSIDY_TEST_DB"],
    "PUBLIC_URL": os.environ["PUBLIC_URL"],  # the address nginx listens on (subsidy.serve.Stack sets it)
    # gunicorn.conf.py preloads the app before forking, so secrets made here are shared by every worker.
    "SECRET_KEY": os.environ.get("SUBSIDY_TEST_SECRET_KEY") or secrets.token_hex(16),
    "VERIFY_SECRET": os.environ.get("SUBSIDY_TEST_VERIFY_SECRET") or secrets.token_hex(16),
    # 0 makes a batch job advance one slice of rows per request, so the tests see it part-way and reload it.
    "BATCH_CHUNK_SECONDS": float(os.environ.get("SUBSIDY_TEST_CHUNK_SECONDS", "0")),
    # The tests' own SMTP server (aiosmtpd, conftest.py: mailbox), so the firm's emails can be read.
    **({"MAIL_SMTP_HOST": "127.0.0.1", "MAIL_SMTP_PORT": int(os.environ["SUBSIDY_TEST_SMTP_PORT"]),
        "MAIL_FROM": "subsidy@example.gov.cn"} if os.environ.get("SUBSIDY_TEST_SMTP_PORT") else {}),
    # Registries the officer's registry pages list, and where their jobs write (tests/browser/conftest.py).
    **({"REGISTRY_DIR": os.environ["SUBSIDY_TEST_REGISTRY_DIR"],
        "REGISTRY_JOBS_DIR": os.environ["SUBSIDY_TEST_REGISTRY_DIR"] + "-jobs"}
       if os.environ.get("SUBSIDY_TEST_REGISTRY_DIR") else {}),
})
