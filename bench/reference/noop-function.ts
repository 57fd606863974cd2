/**
 * The framework floor: an HTTP function that answers 204 and does nothing else, under the same
 * functions-framework as the event functions. What an event function costs above this is the project's.
 */
import { http } from '@google-cloud/functions-framework';

http('noopEvent', (_req, res) => {
  res.status(204).end();
});
