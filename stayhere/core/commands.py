"""The base of stayhere's management commands: their ``--help`` in the language of the person who asks for it.

A command's ``help`` and its arguments' ``help=`` are marked with ``gettext_lazy``; argparse reads the arguments'
lazily, but wraps the description with a regular expression that takes only a ``str``. This base gives the parser
its description in the language active when the parser is made (``stayhere`` makes it in the terminal's language,
stayhere.cli.terminal_language), and says argparse's and Django's own words (the headings, ``usage:``, the options
every command has) in that language too, so that a Spanish terminal reads the whole ``--help`` in Spanish.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from typing import Any, cast

from django.core.management.base import BaseCommand, CommandParser, DjangoHelpFormatter
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _lazy


def gettext_lazy(message: str) -> str:
    """Django's ``gettext_lazy`` (makemessages finds the sentence by this name), typed as the ``str`` that argparse
    and Django declare for a help text: the sentence is said in the language active when the help is printed."""
    return cast(str, _lazy(message))


# The options Django gives every command, by their destination: Django does not mark their help for translation.
COMMON_OPTIONS = {
    "help": gettext_lazy("show this help message and exit"),
    "version": gettext_lazy("Show the program's version number and exit."),
    "verbosity": gettext_lazy(
        "How much to print: 0 = the least, 1 = normal output, 2 = more detail, 3 = every detail."
    ),
    "settings": gettext_lazy(
        'The Python path to a settings module, e.g. "stayhere.settings" (default: the DJANGO_SETTINGS_MODULE '
        "environment variable)."
    ),
    "pythonpath": gettext_lazy('A directory to add to the Python path, e.g. "/srv/stayhere".'),
    "traceback": gettext_lazy("Show the full stack trace when the command fails."),
    "no_color": gettext_lazy("Don't colour the command's output."),
    "force_color": gettext_lazy("Colour the command's output even when it is not a terminal."),
    "skip_checks": gettext_lazy("Skip the system checks."),
}


class HelpFormatter(DjangoHelpFormatter):
    """Django's order of options, with argparse's own words in the active language."""

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, gettext("usage: ") if prefix is None else prefix)


def _speak(parser: argparse.ArgumentParser, common: bool) -> None:
    parser.formatter_class = HelpFormatter
    parser._positionals.title = gettext("positional arguments")
    parser._optionals.title = gettext("options")
    for action in parser._actions:
        if common and action.dest in COMMON_OPTIONS:
            action.help = str(COMMON_OPTIONS[action.dest])
        elif action.dest == "help":
            action.help = str(COMMON_OPTIONS["help"])
        if isinstance(action, argparse._SubParsersAction):
            for subparser in set(action.choices.values()):
                _speak(subparser, common=False)


class Command(BaseCommand):
    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.description = str(self.help) if self.help else None
        _speak(parser, common=True)
        return parser
