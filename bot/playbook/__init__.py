"""The objection playbook: scripts and the rule table (data/playbook/), and the engine that picks
the next answer. Free of Rasa, so it is tested in milliseconds."""
