/** Entry point `register`: a desktop exchanges its platform token for our JWT (`POST /`), or renews it (`POST /refresh`). */
import { http } from '@google-cloud/functions-framework';
import { registrationFunctions } from '../src/app/functions/register';

http('register', registrationFunctions().register);
