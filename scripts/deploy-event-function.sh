#!/usr/bin/env bash
# Deploys one event function from its unit (build/functions/<entryPoint>) and wires it to its topic.
# Called by cloudbuild.yaml; every setting comes from the environment it passes (docs/deploy.md, step 8).
#
#   deploy-event-function.sh <entryPoint> <topicId>
#
# EVENT_TRIGGER=push   HTTP function (IAM-protected, internal ingress) + a push subscription whose OIDC token
#                      (service account PUSH_SA, audience = the function's URL) the function checks again itself
#                      (PUSH_AUTH_AUDIENCE / PUSH_AUTH_SERVICE_ACCOUNTS); dead-letter topic, retry backoff, no
#                      expiry, and the Pub/Sub service agent allowed to forward dead letters from it.
# EVENT_TRIGGER=topic  Pub/Sub (Eventarc) trigger with --retry, invoked as PUSH_SA.
#
# Ingress internal-only: Pub/Sub and Eventarc in the same project still reach the function.
# https://cloud.google.com/run/docs/securing/ingress
set -euo pipefail
name="$1"
topic="$2"
here="$(dirname "$0")"
: "${PROJECT_ID:?}" "${PROJECT_NUMBER:?}" "${REGION:?}" "${EVENT_TRIGGER:?}" "${EVENTS_SA:?}" "${PUSH_SA:?}" \
  "${REDIS_HOST:?}" "${REDIS_PORT:?}" "${DEAD_LETTER_TOPIC:?}" "${MAX_DELIVERY_ATTEMPTS:?}"

common=(
  --with-vpc --run-service-account="$EVENTS_SA" --ingress-settings=internal-only
  --timeout=60s --max-instances="${MAX_INSTANCES:-100}"
)
env="NODE_ENV=production,GCP_PROJECT_ID=$PROJECT_ID,REDISHOST=$REDIS_HOST,REDISPORT=$REDIS_PORT"
pubsub_agent="serviceAccount:service-$PROJECT_NUMBER@gcp-sa-pubsub.iam.gserviceaccount.com"

url_of() { gcloud functions describe "$1" --gen2 --region="$REGION" --format='value(serviceConfig.uri)' 2>/dev/null || true; }

case "$EVENT_TRIGGER" in
  topic)
    bash "$here/deploy-function.sh" "$name" "${common[@]}" --trigger-topic="$topic" --trigger-service-account="$PUSH_SA" --retry \
      --set-env-vars="$env"
    # Eventarc invokes the function as PUSH_SA: it needs the invoker role on the function's service.
    gcloud functions add-invoker-policy-binding "$name" --region="$REGION" --member="serviceAccount:$PUSH_SA"
    ;;
  push)
    url="$(url_of "$name")"
    auth=""
    [ -n "$url" ] && auth=",PUSH_AUTH_AUDIENCE=$url,PUSH_AUTH_SERVICE_ACCOUNTS=$PUSH_SA"
    bash "$here/deploy-function.sh" "$name" "${common[@]}" --trigger-http --no-allow-unauthenticated --set-env-vars="$env$auth"
    if [ -z "$url" ]; then
      # First deployment: the URL exists only now; deploy once more so the function checks the audience too.
      url="$(url_of "$name")"
      bash "$here/deploy-function.sh" "$name" "${common[@]}" --trigger-http --no-allow-unauthenticated \
        --set-env-vars="$env,PUSH_AUTH_AUDIENCE=$url,PUSH_AUTH_SERVICE_ACCOUNTS=$PUSH_SA"
    fi
    gcloud functions add-invoker-policy-binding "$name" --region="$REGION" --member="serviceAccount:$PUSH_SA"
    sub="$topic-$name"
    # --expiration-period=never: a subscription idle for 31 days would otherwise be deleted.
    # https://cloud.google.com/sdk/gcloud/reference/pubsub/subscriptions/create
    flags=(
      --push-endpoint="$url" --push-auth-service-account="$PUSH_SA" --push-auth-token-audience="$url"
      --ack-deadline=60 --min-retry-delay=10s --max-retry-delay=600s --expiration-period=never
      --dead-letter-topic="$DEAD_LETTER_TOPIC" --max-delivery-attempts="$MAX_DELIVERY_ATTEMPTS"
    )
    if gcloud pubsub subscriptions describe "$sub" >/dev/null 2>&1; then
      gcloud pubsub subscriptions update "$sub" "${flags[@]}"
    else
      gcloud pubsub subscriptions create "$sub" --topic="$topic" "${flags[@]}"
    fi
    # Without this the service agent cannot acknowledge what it forwards, and delivery attempts are not counted.
    # https://cloud.google.com/pubsub/docs/handling-failures#grant_forwarding_permissions
    gcloud pubsub subscriptions add-iam-policy-binding "$sub" --member="$pubsub_agent" --role=roles/pubsub.subscriber
    ;;
  *)
    echo "EVENT_TRIGGER must be push or topic, not '$EVENT_TRIGGER'" >&2
    exit 1
    ;;
esac
