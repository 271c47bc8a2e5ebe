"""Excel adapters: evaluators' marking templates, their returns, the moderation workbook.

Untrusted workbooks are vetted by `guard` before any parser sees them.
"""
