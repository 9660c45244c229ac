"""Framecast's Lambda code: API, webhook and sweeper handlers over the domain logic."""
