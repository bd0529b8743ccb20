"""Leads: reading contact details and consent from chat (``contact``), grading a lead and its follow-up
date (``grading``), the lead rows in the project's database (``store``), recording a lead from the
widget's form (``capture``), a test drive kept or called off (``booking``) and handing a customer to a
person (``handoff``). Free of Rasa."""
