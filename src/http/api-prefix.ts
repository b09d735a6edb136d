// Where the JSON API lives. Routes, redirect URIs registered with providers
// and links in emails are all built from it, so a new version moves them
// together.
export const API_PREFIX = '/api/v1';
