"""Framecast on AWS, in CDK: one stack composed of one construct per concern.

May import `functions/` (table definitions, settings, contract) and `render/` (the bundle it
uploads); never `local/`, `cli/` or `tools/`.
"""
