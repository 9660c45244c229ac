"""Pydantic models shared by the handlers, the preprocessor and the render backends."""
