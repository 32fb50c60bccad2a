"""The fellowships a directory lists. Codes are short and stable; names are for people."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Fellowship(models.TextChoices):
    AA = "AA", _("Alcoholics Anonymous")
    NA = "NA", _("Narcotics Anonymous")
    AL_ANON = "AL-ANON", _("Al-Anon / Alateen")
    CA = "CA", _("Cocaine Anonymous")
    CMA = "CMA", _("Crystal Meth Anonymous")
    MA = "MA", _("Marijuana Anonymous")
    HA = "HA", _("Heroin Anonymous")
    GA = "GA", _("Gamblers Anonymous")
    OA = "OA", _("Overeaters Anonymous")
    EDA = "EDA", _("Eating Disorders Anonymous")
    SAA = "SAA", _("Sex Addicts Anonymous")
    SLAA = "SLAA", _("Sex and Love Addicts Anonymous")
    CODA = "CODA", _("Co-Dependents Anonymous")
    ACA = "ACA", _("Adult Children of Alcoholics")
    DA = "DA", _("Debtors Anonymous")
    EA = "EA", _("Emotions Anonymous")
    NAR_ANON = "NAR-ANON", _("Nar-Anon")
    OTHER = "OTHER", _("Other 12-step fellowship")
