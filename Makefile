# Samskab: the two commands are `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test install lint typecheck format audit messages bench-live bench-budget-counting bench-meeting-page bench-live-ingest bench-media bench-liveblog bench-vote-burst bench-survey-export bench-stuffing bench-pb bench-notify bench-binding-vote bench-stats bench-proposals bench-hearing bench-presentation bench-faults clean

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Samskab needs Python 3.11 or newer (PYTHON=$(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $@

install: $(STAMP)

# Links in mails and the demo's MitID answer go to SITE_URL: the port the server listens on,
# unless it is set.
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: $(STAMP)
	$(BIN)/samskab migrate --no-input
	$(BIN)/samskab demo
	@echo "Samskab: http://127.0.0.1:$(PORT)/ with the background worker, the ingest and a demo"
	@echo "meeting live from a test feed (Ctrl-C stops them all)"
	@# The worker runs slides, uploads, clips, redactions and counts; the ingest turns the demo
	@# feed (an encoder's test picture) into live HLS; all stop with the server.
	$(BIN)/samskab worker & worker=$$!; \
	$(BIN)/samskab ingest --host 127.0.0.1 & ingest=$$!; \
	$(BIN)/samskab demo_live & feed=$$!; \
	trap 'kill $$worker $$ingest $$feed 2>/dev/null' EXIT INT TERM; \
		$(BIN)/samskab serve --port $(PORT)

test: $(STAMP)
	SAMSKAB_TESTING=1 $(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# The pure modules (no Django) are type-checked strictly enough to trust.
PURE_MODULES := samskab/envvars.py samskab/core/text.py samskab/accounts/census.py samskab/budgets/counting \
	samskab/budgets/pabulib.py samskab/budgets/tally_command.py samskab/budgets/participation.py samskab/webcasts/vtt.py samskab/webcasts/index.py \
	samskab/live/events.py samskab/live/coalesce.py samskab/live/hub.py samskab/live/brokers \
	samskab/moderation/spam.py samskab/surveys/stats.py samskab/core/csvsafe.py \
	samskab/surveys/schema.py samskab/media samskab/streaming/rtmp.py samskab/streaming/srt.py samskab/streaming/fanout.py \
	samskab/streaming/destinations.py samskab/streaming/rtmppush.py samskab/places/geo.py \
	samskab/debates/scoring.py samskab/core/smallcounts.py samskab/votes/counting.py \
	samskab/presentations/flow.py samskab/social/limits.py

# Every app's services, selectors and rules (modules or packages so named), with the
# django-stubs plugin ([tool.django-stubs] in pyproject.toml) typing model fields, managers
# and querysets: annotations are not required, but every body is checked. The modules they
# import (models, signals, ...) are checked with them. Tests' own apps are left out.
APP_MODULES = $(shell find samskab -path '*/tests' -prune -o \( -name services.py -o -name selectors.py \
	-o -name rules.py -o -type d \( -name services -o -name selectors -o -name rules \) \) -print | sort)

typecheck: $(STAMP)
	$(BIN)/mypy $(PURE_MODULES)
	$(BIN)/mypy --check-untyped-defs $(APP_MODULES)

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Exits 2 when packages could not be audited (the vulnerability data cannot be reached),
# unless AUDIT_ALLOW_OFFLINE=1; always says how many were audited (scripts/audit.py).
audit: $(STAMP)
	$(BIN)/python scripts/audit.py requirements.lock

# Extract and compile translations (needs GNU gettext; the compiled .mo files are committed).
messages: $(STAMP)
	cd samskab && ../$(BIN)/samskab makemessages -l da -l en --no-obsolete --ignore 'static/vendor/*'
	cd samskab && ../$(BIN)/samskab makemessages -d djangojs -l da -l en --no-obsolete --ignore 'static/vendor/*'
	cd samskab && ../$(BIN)/samskab compilemessages
	$(BIN)/python scripts/check_translations.py

bench-live: $(STAMP)
	$(BIN)/python -m bench.live_fanout

# Compares with pabutools when installed: $(BIN)/pip install -e '.[bench]'
bench-budget-counting: $(STAMP)
	$(BIN)/python -m bench.budget_counting

bench-live-ingest: $(STAMP)
	$(BIN)/python -m bench.live_ingest

# Ours against pabutools (50 x 20,000; pabutools needs many minutes), 500 x 200,000, Wieliczka.
bench-pb: $(STAMP)
	$(BIN)/python -m bench.pb_tally $(BENCH_ARGS)

bench-meeting-page: $(STAMP)
	$(BIN)/python -m bench.meeting_page

# Packaging a 60-minute 720p recording to HLS, and a clip (docs/benchmarks.md).
bench-media: $(STAMP)
	$(BIN)/python -m bench.media

bench-liveblog: $(STAMP)
	$(BIN)/python -m bench.liveblog

# SQLite, one process; BENCH_ARGS=--postgres for PostgreSQL with two processes and Redis.
bench-vote-burst: $(STAMP)
	$(BIN)/python -m bench.vote_burst $(BENCH_ARGS)

# Binding votes: a burst of web ballots, the secrecy checks and counting (bench/binding_vote.py).
bench-binding-vote: $(STAMP)
	$(BIN)/python -m bench.binding_vote $(BENCH_ARGS)

bench-survey-export: $(STAMP)
	$(BIN)/python -m bench.survey_export $(BENCH_ARGS)

bench-stuffing: $(STAMP)
	$(BIN)/python -m bench.stuffing $(BENCH_ARGS)

# A budget finishes: 50,000 followers notified, two workers e-mail them (docs/benchmarks.md).
# On PostgreSQL: DATABASE_URL=postgres://... make bench-notify
bench-notify: $(STAMP)
	$(BIN)/python -m bench.notify

# A hearing: the draft page with 10,000 passage comments, re-anchoring them on a new version,
# and the case-file PDF of 2,000 answers with 1,000 attachments (docs/benchmarks.md).
bench-hearing: $(STAMP)
	$(BIN)/python -m bench.hearing $(BENCH_ARGS)

# A 40-step presentation: the first step playable, and a reorder saved (docs/presentations.md).
bench-presentation: $(STAMP)
	$(BIN)/python -m bench.presentation $(BENCH_ARGS)

# SQLite, 10,000 proposals (BENCH_ARGS for sizes); on PostgreSQL:
# DATABASE_URL=postgres://... make bench-proposals BENCH_ARGS="--proposals 100000 --supports 2000000"
bench-proposals: $(STAMP)
	$(BIN)/python -m bench.proposals $(BENCH_ARGS)

# First-party statistics: heartbeat ingest beside the live fan-out, roll-up of a 3-hour
# meeting, dashboards over a year (docs/benchmarks.md). Small: BENCH_ARGS="--viewers 500 ...".
bench-stats: $(STAMP)
	$(BIN)/python -m bench.stats $(BENCH_ARGS)

# Faults under a live meeting: a web process, the worker and Redis (its own, on a free port)
# fail while 2,000 viewers follow and people vote and comment; PostgreSQL (docs/benchmarks.md).
# BENCH_ARGS="--template <a migrated database>" skips the migrations.
bench-faults: $(STAMP)
	$(BIN)/python -m bench.faults $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/static
