"""Training (needs the ``[train]`` extra): data sources, targets, loss, the loop.

The loop is :func:`penmark.train.loop.train`; ``penmark train`` is its command line.
"""
