"""Live video in (the encoder's RTMP feed, `samskab ingest`) and out (restreaming)."""
