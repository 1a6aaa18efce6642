"""MitID through NemLog-in (SAML 2.0, OIOSAML 3), and the "MitID (demo)" simulator.

saml.py is the service provider (pysaml2 and xmlsec1 do the cryptography), simulator.py a
fake NemLog-in for the demo and the tests, views.py the pages, provider.py the allauth
provider through which a NemLog-in login becomes a Samskab account. See docs/nemlog-in.md.
"""
