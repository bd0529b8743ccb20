"""Trainee roleplay: the rubric that scores a trainee's reply, personas and the simulated customer.
Free of Rasa."""
