"""`stayhere disclose` names the journal's tables and says what they hold is ciphertext."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command


def test_disclose_lists_the_journal_tables_and_says_their_content_is_ciphertext() -> None:
    out = StringIO()
    call_command("disclose", example=True, stdout=out)
    lines = out.getvalue().splitlines()
    assert any(line.startswith("| `journal_account` (journal.Account)") for line in lines)
    assert any(line.startswith("| `journal_entry` (journal.Entry)") for line in lines)
    sealed = [line for line in lines if "`key`, `body`" in line or "`wrapped_key`, `wrapped_key_recovery`" in line]
    assert len(sealed) == 2 and all("ciphertext sealed in the member's browser" in line for line in sealed)
