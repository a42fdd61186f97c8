"""Recognising credentials in text: token formats, PEM keys, placeholders."""
