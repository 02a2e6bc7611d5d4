"""Services decide; handlers phrase. Each module holds the rules of one part of the hub."""
