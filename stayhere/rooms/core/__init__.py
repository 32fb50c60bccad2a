"""The meeting as a pure state machine and its values: synchronous, no Django, no asyncio, no I/O."""
