"""Application use cases: one module each, and the unit-of-work port they run in.

A use case opens one unit of work, does its reads and writes through the repositories that
unit of work hands out, and commits explicitly. Anything not committed is rolled back.
Imports: the domain and the standard library only.
"""
