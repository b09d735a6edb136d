// A SteamID64 as the portfolio import accepts it (S33): exactly 17 ASCII
// digits starting with 7656119, the prefix of every individual account's
// 64-bit id. Checked before any URL is built, so nothing a user typed
// reaches a request path unless it is one.

const STEAM_ID64 = /^7656119[0-9]{10}$/;

/** Whether `value` is a SteamID64: 17 ASCII digits starting with 7656119, nothing around them. */
export function isSteamId64(value: string): boolean {
  return STEAM_ID64.test(value);
}
