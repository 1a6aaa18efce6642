"""MitID login through a commercial OpenID Connect broker (Signaturgruppen, Idura/Criipto).

An allauth provider of its own, so that every check MitID needs (signature, nonce, audience,
assurance level, no CPR number kept) lives in one place. See provider.py and views.py.
"""
