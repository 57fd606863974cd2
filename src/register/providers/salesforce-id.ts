/**
 * Salesforce record ids come in two forms: 15 characters, case-sensitive, and 18 characters, the same 15
 * plus a 3-character suffix that encodes which of them are upper case (so the 18-character form survives
 * case-insensitive systems). Comparing them by prefix, as the Python original did, accepts an id that
 * differs only in case, and an 18-character id with a forged suffix. Here both are brought to the
 * 18-character form (the suffix checked when given) and compared exactly.
 */

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** The 3-character suffix of a 15-character id. */
function suffix(id15: string): string {
  let out = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    out += SUFFIX_ALPHABET[bits];
  }
  return out;
}

/** True for a well-formed 15-character id, or an 18-character one whose suffix matches. */
export function isSalesforceId(id: string): boolean {
  if (/^[a-zA-Z0-9]{15}$/.test(id)) return true;
  return /^[a-zA-Z0-9]{18}$/.test(id) && suffix(id.slice(0, 15)) === id.slice(15).toUpperCase();
}

/** The 18-character form of a valid id (see `isSalesforceId`). */
export function toSalesforceId18(id: string): string {
  const id15 = id.slice(0, 15);
  return id15 + suffix(id15);
}

/** Whether two ids name the same record; false when either is not a valid id. */
export function sameSalesforceId(a: string, b: string): boolean {
  return isSalesforceId(a) && isSalesforceId(b) && toSalesforceId18(a) === toSalesforceId18(b);
}
