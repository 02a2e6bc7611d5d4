"""The channel-neutral conversation core: events, replies, routing, one unit of work per event."""
