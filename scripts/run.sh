#!/usr/bin/env bash
# Sets up the project and starts the bot: on Telegram when TELEGRAM_BOT_TOKEN is set (in the
# environment or .env), otherwise the same conversation in this terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/helpdesk-bot "$@"
