"""One library twin per command: what `tender <command>` does, callable from a notebook.

Each module holds the function of its command's name (`score.score`, `collect.collect`,
...): it loads, calls the pure layers below and writes through the one write gate. The
CLI only parses arguments, calls the twin and prints what it returns.
"""
