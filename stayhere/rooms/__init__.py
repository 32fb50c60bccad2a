"""Live meetings, by kind (see CONTRIBUTING.md for one message walked end to end):

- ``core``: the meeting as a pure state machine and its values (no Django, no asyncio, no I/O);
- ``live``: the runtime: the composition root, the hub, the one writer of frames, the stores, codec, protocol;
- ``adapters``: the WebSocket consumer and the phone call, peers that each ask the runtime;
- ``web``: the Django app (label ``rooms``): models, forms, setup and room pages, admin, urls, commands.

import-linter contracts in pyproject.toml hold these layers.
"""
