"""Live meetings: the room state machine, its protocol, its store and its thin Channels adapter."""
