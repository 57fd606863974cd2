/**
 * Project binding: a token is issued for one project (`gcp_agent_assist_project`) and opens only that
 * project's conversations and Dialogflow resources. The one check every desktop-facing surface uses
 * (relay joins on both protocols, `/conversation-name`, the Dialogflow proxy), so they cannot drift apart.
 */
import type { TokenClaims } from '../auth/jwt';

/** True when `project` is the project the token was issued for. */
export function tokenOpensProject(claims: Pick<TokenClaims, 'gcp_agent_assist_project'>, project: string): boolean {
  return claims.gcp_agent_assist_project === project;
}

/** The reason given to a desktop refused for naming another project (never echoes either project). */
export const OTHER_PROJECT_REASON = 'project not allowed for this token';
