"""Scene preprocessing (design section 3): TSX to a CommonJS-shaped module, icons inlined, size-checked."""
