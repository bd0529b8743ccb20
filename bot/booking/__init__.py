"""Booking a test drive in as few messages as the customer gives, without Rasa."""
