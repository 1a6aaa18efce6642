"""The media engine: every ffmpeg command line Samskab runs is built in `commands.py`.

Pure Python (no Django import), so the command lines are tested without a database. The
`streaming` app (ingest and restreaming) and the `recordings` app (uploads, clips, retention,
redaction) run what this package builds.
"""
