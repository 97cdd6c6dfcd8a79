"""campaignkit: campaigns-as-code for marketing automation.

Files are loaded (``load``) into a model (``model``), checked (``checks``),
rendered (``render``), planned against state (``plan``) and applied to a target
(``apply``). The command line (``cli``) only parses arguments and prints.
"""

__version__ = "0.1.0"
