#!/usr/bin/env bash
# Deploys one function unit (build/functions/<entryPoint>, from `npm run bundle`) as a Cloud Run function (gen2)
# with the flags every unit shares, then the caller's own flags (trigger, account, secrets, settings).
# Called by cloudbuild.yaml and scripts/deploy-event-function.sh; docs/deploy.md explains each setting.
#
#   deploy-function.sh <entryPoint> [--with-vpc] [gcloud functions deploy flags...]
#
# --with-vpc adds the path to Memorystore, per VPC_EGRESS:
#   direct     Direct VPC egress: --network --subnet --direct-vpc-egress=private-ranges-only (no connector; one
#              that an earlier deployment attached is cleared)
#              https://cloud.google.com/functions/docs/running/direct-vpc
#   connector  Serverless VPC Access: --vpc-connector --egress-settings=private-ranges-only
#
# Sizing: --cpu=1 so that --concurrency can exceed 1 (a function with less than one vCPU serves one request
# at a time); memory and CPU are always given together, because a memory change alone recomputes the CPU.
# https://cloud.google.com/functions/docs/configuring/concurrency
# https://cloud.google.com/functions/docs/configuring/memory
set -euo pipefail
name="$1"
shift
: "${PROJECT_ID:?}" "${REGION:?}" "${RUNTIME:?}" "${BUILD_SA:?}" "${VPC_EGRESS:?}"

flags=(
  --gen2 --region="$REGION" --runtime="$RUNTIME" --entry-point="$name" --source="build/functions/$name"
  # The account Cloud Build runs this function's build as; new projects' default may lack the rights.
  # https://cloud.google.com/functions/docs/securing/build-custom-sa
  --build-service-account="projects/$PROJECT_ID/serviceAccounts/$BUILD_SA"
  --cpu="${FUNCTION_CPU:-1}" --memory="${FUNCTION_MEMORY:-512Mi}" --concurrency="${FUNCTION_CONCURRENCY:-80}"
  --quiet
)

for arg in "$@"; do
  if [ "$arg" = "--with-vpc" ]; then
    case "$VPC_EGRESS" in
      direct)
        : "${VPC_NETWORK:?}" "${VPC_SUBNET:?}"
        flags+=(--network="$VPC_NETWORK" --subnet="$VPC_SUBNET" --direct-vpc-egress=private-ranges-only)
        connector="$(gcloud functions describe "$name" --gen2 --region="$REGION" --format='value(serviceConfig.vpcConnector)' 2>/dev/null || true)"
        [ -n "$connector" ] && flags+=(--clear-vpc-connector)
        ;;
      connector)
        : "${VPC_CONNECTOR:?}"
        flags+=(--vpc-connector="$VPC_CONNECTOR" --egress-settings=private-ranges-only)
        ;;
      *)
        echo "VPC_EGRESS must be direct or connector, not '$VPC_EGRESS'" >&2
        exit 1
        ;;
    esac
  else
    flags+=("$arg")
  fi
done

gcloud functions deploy "$name" "${flags[@]}"
