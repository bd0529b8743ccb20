"""Our code that touches Rasa: ``patches`` (every change to Rasa's behaviour, installed explicitly by
the channel entry points) and ``stores`` (the tracker and lock stores named in endpoints.yml)."""
