/** Escaping for text put into the page: HTML text and attributes, and JSON inside a <script>. */

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Safe as element text and as a quoted attribute value. */
export function escapeHtml(s: string | number | boolean | null | undefined): string {
  return String(s ?? "").replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * JSON to place inside <script type="application/json">: "<", ">" and "&" become \u
 * escapes, so no "</script>" or "<!--" can appear in it, and U+2028/2029 are escaped for
 * old parsers. Non-finite numbers become null (JSON has none).
 */
export function scriptJson(value: unknown): string {
  // JSON.stringify already writes NaN and Infinity as null.
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"),
  );
}

/** A script's source made safe to inline: "</script" cannot close the element early. */
export function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, "<\\/$1");
}
