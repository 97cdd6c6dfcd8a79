"""Campaign tests: ``tests/*.yaml`` of a workspace, checked and run against the engine.

``cases`` loads and checks the files (diagnostics for unknown programs,
steps, emails, lists and fields), ``times`` reads the times tests are written
in, ``runner`` runs one test through the engine and compares, ``report``
turns results into the text ``campaignkit test`` prints. Nothing here decides
what a program does: that is the engine's job.

The package itself imports nothing, so that ``validate``, which checks test
files with ``cases``, does not load the engine.
"""
