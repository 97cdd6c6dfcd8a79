"""Views: results turned into text, JSON, Markdown, SVG or HTML for people and machines.

The validate report, the plan report, test and simulation reports, program
diagrams and the preview site. A view receives finished values; it never reads
state or talks to a target.
"""
