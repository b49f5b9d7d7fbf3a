// Agent-provided text (hostnames, targets, check messages) is attacker-controlled: each channel's
// text goes through its escaper here, so `<!channel>` pings nobody and `[x](y)` links nowhere.

/**
 * Slack mrkdwn: per Slack's "Escaping text" rules only &, < and > are control characters; with them
 * escaped, `<!channel>`, `<!here>`, `<@U…>` and `<url|label>` show as text. For `text` and blocks alike.
 */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// Adaptive Card TextBlock / FactSet markdown: emphasis, links, code, lists; backslash escapes them.
const TEAMS_MARKUP = /[\\`*_~[\]()<>#|!]/g;

/**
 * Teams (Adaptive Card markdown): every markup character backslash-escaped, and a line that would
 * start a list (`- `, `1. `) kept from doing so, so agent text renders as the literal characters.
 */
export function escapeTeams(text: string): string {
  return text.replace(TEAMS_MARKUP, '\\$&').replace(/^(\s*)([-+]|\d+\.)(\s)/gm, '$1\\$2$3');
}
