// Text put into a message's HTML part: every character that could open a
// tag, an entity or an attribute becomes a numeric reference, so an item
// name or a link from elsewhere is shown, never interpreted.

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
