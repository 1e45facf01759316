#!/usr/bin/env bash
# Update the English catalogue after changing page text, then compile it:
#   scripts/i18n.sh   (then fill every empty msgstr in translations/en/LC_MESSAGES/messages.po and run it again)
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pybabel extract -F babel.cfg -o translations/messages.pot --no-location -k _ -k gettext .
.venv/bin/pybabel update -i translations/messages.pot -d translations -l en --no-fuzzy-matching --ignore-obsolete
.venv/bin/pybabel compile -d translations -l en
