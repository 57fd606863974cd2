#!/usr/bin/env bash
# Deploys the relay image to Cloud Run, with its network path to Memorystore per VPC_EGRESS (direct or
# connector; see scripts/deploy-function.sh). Called by cloudbuild.yaml; docs/deploy.md, step 7, explains
# each flag: WebSockets live up to --timeout (an hour), one instance holds at most --concurrency of them
# (Cloud Run's maximum is 1,000), and HTTP/2 end to end stays off because WebSockets need HTTP/1.1.
# https://cloud.google.com/run/docs/triggering/websockets
# https://cloud.google.com/run/docs/about-concurrency
#
#   deploy-relay.sh <image> [gcloud run deploy flags...]
set -euo pipefail
image="$1"
shift
: "${REGION:?}" "${RELAY_SERVICE:?}" "${RELAY_SA:?}" "${VPC_EGRESS:?}"

flags=(
  --image="$image" --region="$REGION" --service-account="$RELAY_SA" --allow-unauthenticated
  --timeout=3600 --min-instances="${RELAY_MIN_INSTANCES:-1}" --max-instances="${RELAY_MAX_INSTANCES:-10}"
  --concurrency="${RELAY_CONCURRENCY:-1000}" --cpu=1 --memory=512Mi --no-cpu-throttling --session-affinity
  --no-use-http2 --quiet
)
case "$VPC_EGRESS" in
  direct)
    : "${VPC_NETWORK:?}" "${VPC_SUBNET:?}"
    flags+=(--network="$VPC_NETWORK" --subnet="$VPC_SUBNET" --vpc-egress=private-ranges-only)
    # A connector from an earlier deployment must go: Direct VPC egress and a connector exclude each other.
    connector="$(gcloud run services describe "$RELAY_SERVICE" --region="$REGION" \
      --format='value(spec.template.metadata.annotations."run.googleapis.com/vpc-access-connector")' 2>/dev/null || true)"
    [ -n "$connector" ] && flags+=(--clear-vpc-connector)
    ;;
  connector)
    : "${VPC_CONNECTOR:?}"
    flags+=(--vpc-connector="$VPC_CONNECTOR" --vpc-egress=private-ranges-only)
    ;;
  *)
    echo "VPC_EGRESS must be direct or connector, not '$VPC_EGRESS'" >&2
    exit 1
    ;;
esac

gcloud run deploy "$RELAY_SERVICE" "${flags[@]}" "$@"
