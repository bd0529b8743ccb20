"""Our code that touches Rasa's internals: ``patches`` (every change to Rasa's behaviour, installed
explicitly by the channel entry points)."""
