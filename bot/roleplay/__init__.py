"""Trainee roleplay: the rubric that scores a trainee's reply, personas and the simulated customer, and
for trainers the practice records and corrections (``records``) and the report (``report``).
Free of Rasa."""
