"""Signals the directory sends when it changes listings itself (an import, the Django admin), so the listings'
history can record them. The directory knows nothing of the servants' app, which keeps that history: the service
app connects its recorder to these at start-up (``stayhere.service.apps``).

Every signal is sent inside the transaction that made the change: what records it commits or rolls back with it.
"""

from __future__ import annotations

from django.dispatch import Signal

# sender: the writer's class; writer: the SourceWriter, whose ``change_set`` says what it changed; source: its key;
# owner: the service body the source's meetings are about to be set to (or None), sent before they are.
imported = Signal()
# sender: the model; before: the row as it was (None for a new one); after: the row saved; who: the operator.
edited = Signal()
# sender: the model; rows: the rows about to be deleted (still in the database); who: the operator.
removing = Signal()
