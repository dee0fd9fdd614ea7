"""Every command and form that takes a size class reads it the same way: the Indonesian words the
README shows (`mikro,kecil`) and the stored English codes, all four classes."""

from __future__ import annotations

import pytest

from bot.cli import build_parser
from handlers.agency import AgencyProfile
from handlers.broadcasts.service import audience_filter
from handlers.registration.admin import owner_filter
from handlers.rules import SIZE_CLASSES, UnknownSizeClass, read_size_class
from handlers.trainings.planning import TypedPlan, read_plan
from handlers.trainings.schedule import PlanInvalid
from handlers.vouchers.parsing import size_classes
from handlers.vouchers.programs import ProgramError

WORDS = [("mikro", "micro"), ("Kecil", "small"), ("menengah", "medium"), ("besar", "large")]
WORDS += [(code, code) for code in SIZE_CLASSES]


@pytest.mark.parametrize(("word", "code"), WORDS)
def test_each_size_class_is_read_in_indonesian_or_english(word: str, code: str) -> None:
    assert read_size_class(f" {word} ") == code


@pytest.mark.parametrize(("word", "code"), WORDS)
def test_every_command_reads_the_same_words(word: str, code: str) -> None:
    parser = build_parser()
    assert parser.parse_args(["owners", "list", "--size-class", word]).size_class == code
    assert parser.parse_args(["broadcast", "--text-file", "x.txt", "--size", word]).size == code
    training = parser.parse_args(["training", "edit", "1", "--size-class", f"{word},kecil"])
    assert training.size_class == f"{word},kecil"  # a list, read by read_plan below


@pytest.mark.parametrize(("word", "code"), WORDS)
def test_the_domain_functions_behind_commands_and_forms_read_the_same_words(
    agency: AgencyProfile, word: str, code: str
) -> None:
    assert owner_filter(agency, size_class=word).size_class == code
    assert audience_filter(agency, size=word).size_class == code
    assert size_classes(f"{word},kecil") == ([code, "small"] if code != "small" else ["small"])
    plan = read_plan(agency, TypedPlan(size_classes=[word, "small"]), whole=False)
    assert plan["target_size_classes"] == ((code, "small") if code != "small" else ("small",))


@pytest.mark.parametrize("command", [["owners", "list", "--size-class"], ["broadcast", "--size"]])
def test_a_word_that_is_no_size_class_is_refused_by_argparse(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args([*command, "raksasa"])
    assert exited.value.code == 2
    assert "unknown size class 'raksasa' (mikro, kecil, menengah, besar)" in capsys.readouterr().err


def test_a_word_that_is_no_size_class_is_refused_by_every_reader(agency: AgencyProfile) -> None:
    with pytest.raises(UnknownSizeClass):
        owner_filter(agency, size_class="raksasa")
    with pytest.raises(ProgramError, match="raksasa"):
        size_classes("mikro,raksasa")
    with pytest.raises(PlanInvalid) as caught:
        read_plan(agency, TypedPlan(size_classes=["raksasa"]), whole=False)
    assert [(p.field, p.code) for p in caught.value.problems] == [("size_classes", "size_class")]
