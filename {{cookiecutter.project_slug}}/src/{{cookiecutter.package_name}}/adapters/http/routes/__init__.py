"""One router per resource, each built from the use cases it needs."""
