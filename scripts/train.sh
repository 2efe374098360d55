#!/usr/bin/env bash
# Trains models/current.tar.gz when anything it depends on changed since the last training.
set -euo pipefail
cd "$(dirname "$0")/.."

inputs=$( { find data -type f -name '*.yml' | sort; echo domain.yml config.yml bot/nlu/place_names.py bot/nlu/intent_classifier.py build/spacy_da/.content-hash requirements.lock; } )
fingerprint=$(cat $inputs | sha256sum | cut -c1-16)
if [ -f models/current.tar.gz ] && [ "$(cat models/.fingerprint 2>/dev/null)" = "$fingerprint" ]; then
  exit 0
fi
printf '\033[1m==> %s\033[0m\n' "Training the model (training data, domain or config changed)"
mkdir -p models
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
.venv/bin/rasa train --config config.yml --domain domain.yml --data data \
  --out models --fixed-model-name "training-$$" --quiet
# A running stack may be loading models/current.tar.gz: replace it in one step.
mv -f "models/training-$$.tar.gz" models/current.tar.gz
echo "$fingerprint" > models/.fingerprint
