"""Step-work prompts for the journal, written for stayhere (no fellowship literature is quoted or adapted).

Each step is named by its theme in plain words, not by any fellowship's wording of it; the prompts are
questions to write about, to be worked with a sponsor and, where the past holds harm done to the member, a
therapist. The page shows them; the member's answers are sealed in the browser like every entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Step:
    number: int
    theme: Promise
    prompts: tuple[Promise, ...]
    note: Promise | None = None


STEPS: tuple[Step, ...] = (
    Step(
        1,
        _("Honesty about where things stand"),
        (
            _("Describe a time you meant to stop or cut down and did not. What happened in between?"),
            _("What has the addiction cost you that you once told yourself it never would?"),
            _("Where in your days do things feel out of your hands right now?"),
        ),
    ),
    Step(
        2,
        _("Hope that things can change"),
        (
            _("Whom have you seen get better? What do you notice about them?"),
            _("What would 'sane' look like in one ordinary day of yours?"),
            _("What gets in the way of hoping, and where did you learn that?"),
        ),
    ),
    Step(
        3,
        _("Deciding to let help in"),
        (
            _("What are you still trying to manage alone? What would it mean to ask for help with it?"),
            _("Write in your own words what you are willing to trust, and what you are not yet."),
            _("What does a decision look like for you when nobody is watching?"),
        ),
    ),
    Step(
        4,
        _("An honest look at yourself"),
        (
            _("Resentments: whom or what do you keep going back to in anger? What did it touch in you?"),
            _("Fears: what are you afraid of, and how has the fear steered what you did?"),
            _("Where did your own choices hurt someone? Write what you did, not what they did."),
            _("What are you good at, and what do you value? An inventory has two columns."),
        ),
        _(
            "Where someone harmed you, that harm is not your part, and nothing here asks you to find one. Abuse, "
            "violence and what was done to you as a child belong with a therapist or a counsellor, at your pace, "
            "not in an inventory of your wrongs."
        ),
    ),
    Step(
        5,
        _("Saying it to another person"),
        (
            _("Whom could you trust to hear all of this? What makes them safe to tell?"),
            _("What part of your writing are you most afraid to say aloud? Why that part?"),
            _("After telling it, what changed, and what did not?"),
        ),
        _(
            "You choose who hears it. A sponsor is not bound by law to keep it to themselves; a therapist is bound "
            "by professional duties. Share what you are ready to share."
        ),
    ),
    Step(
        6,
        _("Becoming willing to change"),
        (
            _("Which patterns from your writing do you recognise most often in your week?"),
            _("What does each of them still do for you? What would you lose if it went?"),
            _("Which one are you not yet willing to let go of? Be honest; that is the work."),
        ),
    ),
    Step(
        7,
        _("Asking for change, with humility"),
        (
            _("What does humility mean to you, as opposed to humiliation?"),
            _("Describe a moment this week when you acted differently from your old pattern."),
            _("What help do you need, and from whom, to keep going?"),
        ),
    ),
    Step(
        8,
        _("Listing the people you harmed"),
        (
            _("Who was affected by what you did? Write the name, or a word only you will recognise."),
            _("What did your actions cost each of them?"),
            _("Where does your list include yourself?"),
        ),
    ),
    Step(
        9,
        _("Making things right, where it does no harm"),
        (
            _("For each person on your list: what would making it right look like, in actions as well as words?"),
            _("Where could contacting someone hurt them, or you, or someone else? Talk it over before you act."),
            _("What happened when you made an amend? What did you feel afterwards?"),
        ),
        _(
            "You never owe contact to someone who harmed you or who is unsafe to reach. Some amends are made by "
            "living differently."
        ),
    ),
    Step(
        10,
        _("Keeping the inventory going"),
        (
            _("Today: where were you resentful, afraid, dishonest or unkind? Where were you generous?"),
            _("Is there something you owe an apology for today? What is stopping you?"),
            _("What went well today, that you want to remember?"),
        ),
    ),
    Step(
        11,
        _("Quiet, reflection, connection"),
        (
            _("What helps you be still for a few minutes? When did you last do it?"),
            _("What did you notice in the quiet today?"),
            _("What do you ask for, if you ask for anything?"),
        ),
    ),
    Step(
        12,
        _("Carrying it on"),
        (
            _("How has your life changed since you started? Write it as you would tell a newcomer."),
            _("Where have you been of use to someone this month?"),
            _("Which of what you have learnt do you bring into work, family and friendships?"),
        ),
    ),
)
