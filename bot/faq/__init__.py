"""The FAQ: content file, text normalisation, matching and answer rendering."""
