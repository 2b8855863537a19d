"""Renderers: pure functions from a readiness document to text.

A renderer never reads files, never calls the network and never scores.
"""
