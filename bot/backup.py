"""`umkm-bot db backup -o FILE` and `umkm-bot db restore FILE [--force]`: wiring only; the copy is
storage/backup.py's. The words printed are officer templates (officer/db/)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.settings import ConfigError, Settings, opening_database
from handlers.agency import ProfileError, load_profile
from handlers.officer import OfficerError
from messages import Renderer
from storage.backup import BackupError, backup, restore


def add_commands(db_commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    copy = db_commands.add_parser(
        "backup", help="write a consistent copy of the database while the bot runs (SQLite file or pg_dump)"
    )
    copy.add_argument("-o", "--output", type=Path, required=True, help="file to write")
    back = db_commands.add_parser("restore", help="put a backup back (stop the bot first)")
    back.add_argument("file", type=Path, help="a file written by 'umkm-bot db backup'")
    back.add_argument("--force", action="store_true", help="replace a database that holds data")


async def run(args: argparse.Namespace, settings: Settings) -> None:
    try:
        agency = load_profile(settings.agency_profile)
    except ProfileError as exc:
        raise ConfigError(f"AGENCY_PROFILE: {exc}") from None
    renderer = Renderer(agency.time_zone, agency.template_values())
    url = settings.effective_database_url
    try:
        with opening_database(settings):
            if args.db_command == "backup":
                copied = await backup(url, args.output)
                values = {"path": str(copied.path), "size": copied.size}
                print(renderer.render("officer/db/backed_up", settings.officer_locale, values), flush=True)
            else:
                await restore(url, args.file, force=args.force)
                values = {"path": str(args.file)}
                print(renderer.render("officer/db/restored", settings.officer_locale, values), flush=True)
    except BackupError as exc:
        values = {**exc.values, "code": exc.code}
        raise OfficerError(renderer.render("officer/db/refused", settings.officer_locale, values)) from None
