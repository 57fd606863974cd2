/** Entry point `registerApp`: an application exchanges its platform credentials for our JWT. */
import { http } from '@google-cloud/functions-framework';
import { registrationFunctions } from '../src/app/functions/register';

http('registerApp', registrationFunctions().registerApp);
