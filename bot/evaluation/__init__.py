"""NLU evaluation: the metrics over a ``parse`` callable (``metrics``) and the held-out examples and
parsers they run on (``holdout``: an in-process model or a running server)."""
