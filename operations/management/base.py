"""The base of the project's own management commands: they speak the site's language.

Django runs a command in whatever language is active (none, that is ``settings.LANGUAGE_CODE``, unless a caller
activated another), and builds the ``--help`` of a command from argparse, whose own words ("usage:", "options",
"show this help message and exit") and Django's common options ("--verbosity", "--settings", ...) are English
whatever the language. ``ProjectCommand`` (or ``ProjectCommandMixin`` in front of another command class) runs
the command, prints its help and reports its errors in ``settings.LANGUAGE_CODE`` (Vietnamese), with argparse's
and Django's words of the help translated too.

Set the environment variable ``DJANGO_COMMAND_LANGUAGE`` to a language of ``settings.LANGUAGES`` to run the
commands in another one, e.g. ``DJANGO_COMMAND_LANGUAGE=en manage.py load_demo_data`` for English output and
help; a value that is not one of those languages is ignored (the site's language is used).
"""

from __future__ import annotations

import argparse
import os

from django.conf import settings
from django.core.management.base import BaseCommand, DjangoHelpFormatter
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: The environment variable naming the language of the project's commands (default: ``settings.LANGUAGE_CODE``).
LANGUAGE_VARIABLE = "DJANGO_COMMAND_LANGUAGE"

#: Django's common options (``BaseCommand.create_parser``), by option string: their help in our catalog.
COMMON_OPTION_HELP = {
    "--version": gettext_lazy("Show program's version number and exit."),
    "-v": gettext_lazy("Verbosity level; 0=minimal output, 1=normal output, 2=verbose output, 3=very verbose output"),
    "--settings": gettext_lazy(
        'The Python path to a settings module, e.g. "myproject.settings.main". If this isn\'t provided, the '
        "DJANGO_SETTINGS_MODULE environment variable will be used."
    ),
    "--pythonpath": gettext_lazy('A directory to add to the Python path, e.g. "/home/djangoprojects/myproject".'),
    "--traceback": gettext_lazy("Display a full stack trace on CommandError exceptions."),
    "--no-color": gettext_lazy("Don't colorize the command output."),
    "--force-color": gettext_lazy("Force colorization of the command output."),
    "--skip-checks": gettext_lazy("Skip system checks."),
    "-h": gettext_lazy("show this help message and exit"),
}


def command_language() -> str:
    """The language the project's commands speak: ``DJANGO_COMMAND_LANGUAGE`` when it names one of
    ``settings.LANGUAGES`` (``en``, ``en-us``, ``vi``), else ``settings.LANGUAGE_CODE``."""
    requested = os.environ.get(LANGUAGE_VARIABLE, "").strip()
    if requested:
        try:
            return translation.get_supported_language_variant(requested)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class HelpFormatter(DjangoHelpFormatter):
    """Django's help layout, with argparse's "usage: " in the active language."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)


class ProjectCommandMixin:
    """Runs a management command, and prints its help, in ``command_language()`` (see the module)."""

    def run_from_argv(self, argv):
        # Covers ``manage.py CMD --help``, argparse's errors and a CommandError printed to stderr.
        with translation.override(command_language()):
            return super().run_from_argv(argv)

    def print_help(self, prog_name, subcommand):
        # ``manage.py help CMD`` prints the help without run_from_argv.
        with translation.override(command_language()):
            return super().print_help(prog_name, subcommand)

    def execute(self, *args, **options):
        # ``call_command`` (and ``run_from_argv``) end here.
        with translation.override(command_language()):
            return super().execute(*args, **options)

    def create_parser(self, prog_name, subcommand, **kwargs):
        with translation.override(command_language()):
            kwargs.setdefault("formatter_class", HelpFormatter)
            parser = super().create_parser(prog_name, subcommand, **kwargs)
            parser._positionals.title = _("positional arguments")
            parser._optionals.title = _("options")
            # argparse formats with regular expressions, which take no lazy strings: the texts in the language
            # now active (the help is printed in it, by run_from_argv or print_help).
            parser.description = str(parser.description) if parser.description else parser.description
            for action in parser._actions:
                # argparse's own -h and Django's --skip-checks (added without add_base_argument).
                common = isinstance(action, argparse._HelpAction) or action.dest == "skip_checks"
                if common and action.help != argparse.SUPPRESS:
                    action.help = COMMON_OPTION_HELP[action.option_strings[0]]
                if isinstance(action.help, Promise):
                    action.help = str(action.help)
                if isinstance(action.metavar, Promise):
                    action.metavar = str(action.metavar)
        return parser

    def add_base_argument(self, parser, *args, **kwargs):
        # Django's common options; a suppressed one stays suppressed (Django sets that after this).
        if args and args[0] in COMMON_OPTION_HELP:
            kwargs["help"] = COMMON_OPTION_HELP[args[0]]
        super().add_base_argument(parser, *args, **kwargs)


class ProjectCommand(ProjectCommandMixin, BaseCommand):
    """``BaseCommand`` in the site's language (see the module)."""
