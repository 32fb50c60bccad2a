"""The live runtime: the composition root, the hub, the one writer of frames, the stores (memory | Redis), the codec
and the protocol schemas."""
