"""Global words that work at any point of a conversation, in Indonesian and English."""

from __future__ import annotations

import unicodedata
from enum import Enum
from functools import lru_cache


class Command(Enum):
    MENU = "menu"
    CANCEL = "cancel"
    BACK = "back"
    HELP = "help"
    STOP = "stop"
    START = "start"


_WORDS: dict[str, Command] = {
    "menu": Command.MENU,
    "menu utama": Command.MENU,
    "batal": Command.CANCEL,
    "cancel": Command.CANCEL,
    "kembali": Command.BACK,
    "back": Command.BACK,
    "bantuan": Command.HELP,
    "help": Command.HELP,
    "tolong": Command.HELP,
    "berhenti": Command.STOP,
    "stop": Command.STOP,
    "mulai": Command.START,
    "start": Command.START,
}

# Choice ids for the same commands, so buttons can carry them too.
COMMAND_CHOICE_PREFIX = "g:"


def normalise(text: str) -> str:
    """Fold case, width and spacing, and drop a leading slash and trailing punctuation."""
    folded = unicodedata.normalize("NFKC", text).casefold().strip()
    folded = folded.removeprefix("/").split("@", 1)[0]
    return " ".join(folded.rstrip(".!?").split())


@lru_cache(maxsize=4096)
def label_key(text: str) -> str:
    """What a typed answer and a choice's label are compared by: letters, digits and single spaces,
    so "simpan" selects "✅ Simpan" and "berikutnya" selects "Berikutnya »". Remembered: the
    offered choices' labels are compared on every typed answer, and they are few."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    kept = "".join(ch if ch.isalnum() else " " for ch in folded)
    return " ".join(kept.split())


def command_of(text: str, choice_id: str | None) -> Command | None:
    if choice_id and choice_id.startswith(COMMAND_CHOICE_PREFIX):
        try:
            return Command(choice_id[len(COMMAND_CHOICE_PREFIX) :])
        except ValueError:
            return None
    if choice_id:
        return None
    return _WORDS.get(normalise(text))
