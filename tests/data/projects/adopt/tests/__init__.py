"""Tests of mini."""
