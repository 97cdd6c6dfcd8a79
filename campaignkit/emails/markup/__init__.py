"""MJML markup: parsing a template's tags, the tables of what each component allows, and the structure check."""
