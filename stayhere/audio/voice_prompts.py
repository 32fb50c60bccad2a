"""Spoken prompts for the phone line, rendered once with Debian's espeak-ng (or flite, English only) into WAV files.

Files are named by a hash of their language and text, so a changed sentence is rendered afresh and an unchanged
one is kept from the last start. They hold only the product's own sentences: nothing a person said or typed.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

VOICES = {"en": "en-us", "es": "es-419"}


class PromptRenderError(Exception):
    """No speech synthesiser, or it failed; the message says which and what to install."""


def prompt_file(folder: Path, language: str, text: str) -> Path:
    digest = hashlib.sha256(f"{language}\n{text}".encode()).hexdigest()[:20]
    return folder / f"{language}-{digest}.wav"


def render(folder: Path, language: str, text: str, timeout: float = 20.0) -> Path:
    """The WAV file saying ``text`` in ``language`` (rendered now unless it is there from an earlier start)."""
    target = prompt_file(folder, language, text)
    if target.exists() and target.stat().st_size > 44:
        return target
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = target.with_suffix(".part.wav")
    if shutil.which("espeak-ng"):
        command = ["espeak-ng", "-v", VOICES.get(language, language), "-s", "150", "-w", str(partial), text]
    elif shutil.which("flite") and language == "en":
        command = ["flite", "-t", text, "-o", str(partial)]
    else:
        raise PromptRenderError(
            f"No speech synthesiser for the phone prompts in {language!r}: apt-get install espeak-ng."
        )
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=timeout)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as failure:
        raise PromptRenderError(f"{command[0]} could not render a phone prompt ({type(failure).__name__}).") from None
    partial.replace(target)
    return target


def render_all(folder: Path, texts: Mapping[tuple[str, str], str]) -> dict[tuple[str, str], Path]:
    """Every (name, language) -> text rendered; returns (name, language) -> file."""
    return {key: render(folder, key[1], text) for key, text in texts.items()}
