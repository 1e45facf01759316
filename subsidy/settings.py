"""Deployment settings kept in instance/config.py, with the secrets created on first run (never committed)."""

import os
import secrets

CONFIG_NAME = "config.py"
TEMPLATE = '''# Created on first run by the subsidy calculator. Keep this file secret and out of version control.
# SECRET_KEY signs sessions and CSRF tokens; VERIFY_SECRET signs the codes printed on PDF estimates:
# changing it makes every estimate issued so far fail verification.
SECRET_KEY = "{secret_key}"
VERIFY_SECRET = "{verify_secret}"
'''


def ensure_instance_config(instance_path: str) -> str:
    """Create instance/config.py with fresh secrets if it does not exist; return its path."""
    path = os.path.join(instance_path, CONFIG_NAME)
    if not os.path.exists(path):
        content = TEMPLATE.format(secret_key=secrets.token_hex(32), verify_secret=secrets.token_hex(32))
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(content)
    return path
