"""The engine: what scoring, grading, lists, forms and programs do to a prospect over time.

``campaignkit test`` and ``campaignkit simulate`` both run these semantics, so a
program behaves the same for one hand-written prospect as for a population.
Modules follow the concepts: ``durations`` (time spans), ``prospect`` (a
prospect's state), ``world`` (the workspace's rules compiled for running),
``conditions`` (rules over a prospect, shared by lists, rule steps and grading),
``scoring``, ``grading``, ``schedule`` (business hours), ``activity`` (what an
event does to a prospect) and ``program`` (walking a program's steps); ``graph``
is a program's steps as a graph (and in words), ``simulate`` and ``populations``
run a population through a program. Nothing here prints or knows about tests.
The reasons behind each choice are in docs/engine.md.
"""
