"""Personal data and customer-typed text: phone numbers (``phone``), masking them in logs (``logs``),
writing customer text safely to spreadsheets, terminals and charts (``safe_output``), and forgetting a
person or expiring old data (``retention``). Free of Rasa."""
