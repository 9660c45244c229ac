"""The local stack: the CLI, the render worker driver, and (later) emulated AWS and the HTTP adapter."""
