"""Rasa graph components: our jieba tokenizer and the rule-based entity extractor."""
