#!/usr/bin/env bash
# Starts the action server and the Rasa server, then opens a terminal chat.
# Ctrl-C (or /quit) stops everything this script started.
# Both listen on 127.0.0.1 only. BOT_BIND=0.0.0.0 (or one address of this machine) opens the Rasa
# server to the network, e.g. to try the widget from a phone; the action server stays on loopback
# (only Rasa calls it, and it has no authentication).
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2

ACTION_PORT=${ACTION_PORT:-5055}
RASA_PORT=${RASA_PORT:-5005}
BOT_BIND=${BOT_BIND:-127.0.0.1}
case "$BOT_BIND" in  # where this script and the printed links reach Rasa
  0.0.0.0|::) probe=127.0.0.1 ;;
  *:*) probe="[$BOT_BIND]" ;;
  *) probe=$BOT_BIND ;;
esac
mkdir -p var/log
pids=()
cleanup() {
  trap - EXIT INT TERM
  echo; echo "[demo] stopping servers..."
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$ACTION_PORT" "$RASA_PORT"; do
  if port_busy "$p"; then echo "[demo] port $p is already in use (set ACTION_PORT / RASA_PORT)"; exit 1; fi
done

# rasa_sdk 3.6 has no host option: its server binds $SANIC_HOST (default 0.0.0.0).
SANIC_HOST=127.0.0.1 .venv/bin/python -m rasa_sdk --actions actions --port "$ACTION_PORT" \
  --logging-config_file deploy/logging.yml > var/log/actions.log 2>&1 &
pids+=($!)
endpoints=$(mktemp)
printf 'action_endpoint:\n  url: "http://127.0.0.1:%s/webhook"\n' "$ACTION_PORT" > "$endpoints"
.venv/bin/rasa run --endpoints "$endpoints" --credentials credentials.yml --interface "$BOT_BIND" \
  --port "$RASA_PORT" --logging-config-file deploy/logging.yml > var/log/rasa.log 2>&1 &
pids+=($!)

echo "[demo] starting (logs in var/log/)..."
for _ in $(seq 1 240); do
  if curl -fs "http://$probe:$RASA_PORT/" >/dev/null 2>&1 && curl -fs "http://127.0.0.1:$ACTION_PORT/health" >/dev/null 2>&1; then
    break
  fi
  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || { echo "[demo] a server exited; see var/log/"; exit 1; }; done
  sleep 1
done
# The REST channel answers only once the model is loaded.
until curl -fs -X POST -H 'Content-Type: application/json' -d '{"sender":"demo-probe","message":"你好"}' \
      "http://$probe:$RASA_PORT/webhooks/rest/webhook" | grep -q text; do sleep 1; done

cat <<MSG
[demo] the bot is running.
  showroom page: http://$probe:$RASA_PORT/webhooks/widget/demo     (the embedded chat widget)
  practice page: http://$probe:$RASA_PORT/webhooks/widget/practice (trainees: customer and coach practice)
  trainer page : http://$probe:$RASA_PORT/webhooks/trainer/        (dashboard; needs TRAINER_PASSWORD set)
  REST channel : POST http://$probe:$RASA_PORT/webhooks/rest/webhook  {"sender": "me", "message": "太贵了"}
  action server: http://127.0.0.1:$ACTION_PORT
MSG
if [ "$BOT_BIND" != 127.0.0.1 ]; then
  echo "[demo] the Rasa server listens on $BOT_BIND:$RASA_PORT: reachable from the network (no TLS)."
fi
if [ -t 0 ]; then
  .venv/bin/python -m bot chat --url "http://$probe:$RASA_PORT"
else
  echo "[demo] no terminal attached: servers keep running until this process is stopped."
  wait
fi
