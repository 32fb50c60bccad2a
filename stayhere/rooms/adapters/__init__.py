"""The ways into a meeting: the WebSocket consumer and the phone call, peers that each ask the runtime."""
