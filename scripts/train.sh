#!/usr/bin/env bash
# Trains models/current.tar.gz when anything it depends on changed since the last training.
# One line for the step (with the seconds in a terminal); Rasa's output goes to var/train.log, and
# any warning in it that bot/server/quiet.py does not know as harmless is shown after the step.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

inputs=$( { find data -type f -name '*.yml' | sort; echo domain.yml config.yml bot/nlu/place_names.py bot/nlu/intent_classifier.py bot/nlu/sparse_network.py bot/nlu/regex_flags.py bot/nlu/count_vectors.py bot/nlu/spacy_tokenizer.py bot/nlu/own_workplace.py bot/data/own_workplace_examples.yml build/spacy_da/.content-hash requirements.lock; } )
fingerprint=$(cat $inputs | sha256sum | cut -c1-16)
if [ -f models/current.tar.gz ] && [ "$(cat models/.fingerprint 2>/dev/null)" = "$fingerprint" ]; then
  exit 0
fi
mkdir -p models
run_step "Training the model (training data, domain or config changed; a few minutes)" var/train.log \
  .venv/bin/python -m bot train --out models --fixed-model-name "training-$$"
show_warnings var/train.log
# A running stack may be loading models/current.tar.gz: replace it in one step.
mv -f "models/training-$$.tar.gz" models/current.tar.gz
echo "$fingerprint" > models/.fingerprint
