"""Domain and use cases on the memory adapter: no network, no disk, milliseconds."""
