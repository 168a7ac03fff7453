"""Background work, run beside the HTTP server but never inside a request."""
