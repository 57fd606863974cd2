/** Entry point `registerApp`: an application exchanges its platform credentials for our JWT. */
import { http } from '@google-cloud/functions-framework';
import { registrationFunctions } from '../src/register/function';

http('registerApp', registrationFunctions().registerApp);
