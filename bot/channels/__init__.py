"""Channel adapters: platform payloads in, neutral events to the core, neutral replies out."""
