import { describe, expect, it } from "vitest";
import { escapeHtml, inlineScript, scriptJson } from "../../lib/report/dashboard/escape";

describe("escaping for the page", () => {
  it("escapes text and attribute characters", () => {
    expect(escapeHtml(`<img src=x onerror="a('b')">&`)).toBe("&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;");
    expect(escapeHtml(null)).toBe("");
  });

  it("keeps JSON in a script element from closing it, and round-trips", () => {
    const doc = { name: "</script><script>alert(1)</script><!--", sep: "\u2028\u2029", n: [1, Number.NaN, Number.POSITIVE_INFINITY] };
    const s = scriptJson(doc);
    expect(s).not.toMatch(/<|>|\u2028|\u2029/);
    expect(JSON.parse(s)).toEqual({ ...doc, n: [1, null, null] });
  });

  it("breaks </script inside an inlined script", () => {
    expect(inlineScript('var s = "</SCRIPT>";')).toBe('var s = "<\\/SCRIPT>";');
  });
});
