#!/usr/bin/env bash
# Deploys one event function from its unit (build/functions/<entryPoint>) and wires it to its topic.
# Called by cloudbuild.yaml; every setting comes from the environment it passes (docs/deploy.md, step 7).
#
#   deploy-event-function.sh <entryPoint> <topicId>
#
# EVENT_TRIGGER=push   HTTP function (IAM-protected) + a push subscription whose OIDC token (service account
#                      PUSH_SA, audience = the function's URL) the function checks again itself
#                      (PUSH_AUTH_AUDIENCE / PUSH_AUTH_SERVICE_ACCOUNTS); dead-letter topic and retry backoff.
# EVENT_TRIGGER=topic  Pub/Sub (Eventarc) trigger with --retry, invoked as TRIGGER_SA.
set -euo pipefail
name="$1"
topic="$2"
: "${PROJECT_ID:?}" "${REGION:?}" "${RUNTIME:?}" "${EVENT_TRIGGER:?}" "${EVENTS_SA:?}" "${PUSH_SA:?}" \
  "${REDIS_HOST:?}" "${REDIS_PORT:?}" "${VPC_CONNECTOR:?}" "${DEAD_LETTER_TOPIC:?}" "${MAX_DELIVERY_ATTEMPTS:?}"

common=(
  --gen2 --region="$REGION" --runtime="$RUNTIME" --entry-point="$name" --source="build/functions/$name"
  --run-service-account="$EVENTS_SA" --vpc-connector="$VPC_CONNECTOR" --egress-settings=private-ranges-only
  --memory=256Mi --timeout=60s --max-instances="${MAX_INSTANCES:-100}" --quiet
)
env="NODE_ENV=production,GCP_PROJECT_ID=$PROJECT_ID,REDISHOST=$REDIS_HOST,REDISPORT=$REDIS_PORT"

url_of() { gcloud functions describe "$1" --gen2 --region="$REGION" --format='value(serviceConfig.uri)' 2>/dev/null || true; }

case "$EVENT_TRIGGER" in
  topic)
    gcloud functions deploy "$name" "${common[@]}" --trigger-topic="$topic" --trigger-service-account="$PUSH_SA" --retry \
      --set-env-vars="$env"
    ;;
  push)
    url="$(url_of "$name")"
    auth=""
    [ -n "$url" ] && auth=",PUSH_AUTH_AUDIENCE=$url,PUSH_AUTH_SERVICE_ACCOUNTS=$PUSH_SA"
    gcloud functions deploy "$name" "${common[@]}" --trigger-http --no-allow-unauthenticated --set-env-vars="$env$auth"
    if [ -z "$url" ]; then
      # First deployment: the URL exists only now; deploy once more so the function checks the audience too.
      url="$(url_of "$name")"
      gcloud functions deploy "$name" "${common[@]}" --trigger-http --no-allow-unauthenticated \
        --set-env-vars="$env,PUSH_AUTH_AUDIENCE=$url,PUSH_AUTH_SERVICE_ACCOUNTS=$PUSH_SA"
    fi
    gcloud functions add-invoker-policy-binding "$name" --region="$REGION" --member="serviceAccount:$PUSH_SA" --quiet
    sub="$topic-$name"
    flags=(
      --push-endpoint="$url" --push-auth-service-account="$PUSH_SA" --push-auth-token-audience="$url"
      --ack-deadline=60 --min-retry-delay=10s --max-retry-delay=600s
      --dead-letter-topic="$DEAD_LETTER_TOPIC" --max-delivery-attempts="$MAX_DELIVERY_ATTEMPTS"
    )
    if gcloud pubsub subscriptions describe "$sub" >/dev/null 2>&1; then
      gcloud pubsub subscriptions update "$sub" "${flags[@]}"
    else
      gcloud pubsub subscriptions create "$sub" --topic="$topic" "${flags[@]}"
    fi
    ;;
  *)
    echo "EVENT_TRIGGER must be push or topic, not '$EVENT_TRIGGER'" >&2
    exit 1
    ;;
esac
