"""Screening: a position's pool evaluated by a published rule pack, the stored result, its replay and every explanation."""
